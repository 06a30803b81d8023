"""The fast path of the region resolver (regions/article.py) gives what the general path gives.

`resolve_article` inlines the general path's readings for the usual article and hands back None when
it needs more. Wherever it answers, its answer must equal the general path's on the same mentions.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswatch.analysis.regions import RegionResolver
from newswatch.analysis.regions.article import resolve_article

# Names and the words around them that steer the readings: actors ("said", "'s forces"), place nouns
# ("region", "city"), locatives ("in", "near"), demonyms, a river, a comparison, a person, villages.
PIECES = [
    "Kyiv",
    "Kharkiv",
    "Kharkov",
    "Lviv",
    "Odesa",
    "Dnipro",
    "the Dnipro",
    "Zaporizhzhia",
    "Kherson",
    "Donetsk",
    "Luhansk",
    "Crimea",
    "Sumy",
    "Belgorod",
    "Kursk",
    "Moscow",
    "Russia",
    "Ukraine",
    "Poland",
    "Rzeszow",
    "Warsaw",
    "Paris",
    "Georgia",
    "Jordan",
    "Washington",
    "London",
    "Ukrainian",
    "Russian",
    "Polish",
    "Kupiansk",
    "Pokrovsk",
    "Bakhmut",
    "Avdiivka",
    "Chasiv Yar",
    "Vovchansk",
    "Izium",
    "Mykhailivka",
    "Novooleksandrivka",
    "Tokmak",
    "Enerhodar",
    "Nikopol",
    "Kremenchuk",
    "Burshtyn",
    "Paris Hilton",
    "the size of Wales",
    "Kharkiv Oblast",
    "Donetsk region",
    "Sumy oblast",
]
GLUE = [
    " ",
    ", ",
    ". ",
    " said ",
    "'s forces ",
    " in ",
    " near ",
    " city ",
    " region ",
    " village ",
    " and ",
    " struck ",
    " shelled ",
    " residents of ",
    " officials in ",
    " on Monday. ",
    " troops in ",
]


@st.composite
def articles(draw: st.DrawFn) -> str:
    n = draw(st.integers(min_value=1, max_value=12))
    parts = []
    for _ in range(n):
        parts.append(draw(st.sampled_from(GLUE)))
        parts.append(draw(st.sampled_from(PIECES)))
    return "".join(parts).strip() + "."


def _same_as_general(resolver: RegionResolver, text: str) -> bool:
    """True when the fast path answered (and then it must agree); False when it passed."""
    mentions = resolver.matcher.scan(text)
    fast = resolve_article(text, mentions, resolver.context, resolver.small_towns)
    if fast is None:
        return False
    general = resolver._resolve(text, resolver.matcher.scan(text))
    assert fast == general, text  # regions, spots and the article's best guess
    for spot in fast.spots:
        assert fast.locate(spot.start, spot.end) == general.locate(spot.start, spot.end), text
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_fast_path_equals_general_path(resolver: RegionResolver, text: str) -> None:
    _same_as_general(resolver, text)


def test_the_fast_path_answers_the_usual_article(resolver: RegionResolver) -> None:
    # not vacuous: on ordinary sentences the fast path does answer, and agrees
    texts = [
        "Russian forces shelled Kharkiv overnight, officials in the city said.",
        "Drones struck Odesa and Mykolaiv, and Kyiv said air defences were active.",
        "Ukraine's grid operator cut power in Sumy region after a strike on a substation.",
    ]
    assert sum(_same_as_general(resolver, t) for t in texts) >= 2
