"""The C word finder (`regions/_capitals.c`) gives the regex path's hits.

Compiled wheels ship it; with NEWSWATCH_REQUIRE_COMPILED set its absence fails these
tests, elsewhere (the pure-Python sources) they are skipped. Texts are written for
these tests or generated from the gazetteer's own names.
"""

from __future__ import annotations

import random

import pytest
from tests.unit.analysis.support import c_extension

from newswatch.analysis.regions import RegionResolver
from newswatch.analysis.regions.matcher import NameMatcher

_capitals = c_extension("newswatch.analysis.regions._capitals")

WRITTEN = [
    "Shelling hit Kharkiv and Odesa; Kyiv Oblast stayed quiet.",
    "Kharkiv",  # a name at the very start and end
    "xKharkiv, 2Kharkiv, KharkivX and McKharkiv are no names",
    "The Hague, THE HAGUE and the Hague",
    "",
    "no capitals at all",
    "\x01Kharkiv with a control byte before it",
    "U.S. and UK envoys met in St. Petersburg.",
]


def _generated(names: list[str], n: int) -> list[str]:
    rng = random.Random(9)
    filler = ["the", "City", "said", "On", "Monday,", "(AP)", "--", "2,000", "Mr.", "in", "and", "X"]
    out = []
    for _ in range(n):
        words = [rng.choice(names).title() if rng.random() < 0.3 else rng.choice(filler) for _ in range(80)]
        out.append(rng.choice([" ", "  ", ", ", "-"]).join(words))
    return out


@pytest.fixture(scope="module")
def matcher(resolver: RegionResolver) -> NameMatcher:
    assert resolver.matcher.native
    return resolver.matcher


def _both(m: NameMatcher, text: str) -> tuple[list, list]:
    marked = text.encode("ascii").translate(m._marks)
    low = text.lower()
    native = m._ascii_hits(marked, low)
    pure = [
        (w.start(), w.end(), e)
        for w in m._ascii_word.finditer(marked)
        if (e := m._names.get(low[w.start() : w.end()])) is not None
    ]
    return native, pure


def test_native_hits_equal_the_regex(matcher: NameMatcher) -> None:
    names = sorted(k for k in matcher._names if k.isascii() and k.replace(" ", "").isalpha())[::50]
    for text in [*WRITTEN, *_generated(names, 200)]:
        native, pure = _both(matcher, text)
        assert native == pure, text[:80]
        assert all(e is pe for (_, _, e), (_, _, pe) in zip(native, pure, strict=True))


def test_the_regex_path_finds_the_known_words(matcher: NameMatcher) -> None:
    plain = NameMatcher({"kharkiv": [], "odesa": []}, native=False)
    assert not plain.native
    text = "From Kharkiv to Odesa."
    marked = text.encode("ascii").translate(plain._marks)
    assert plain._ascii_hits(marked, text.lower()) == [
        (5, 12, plain._names["kharkiv"]),
        (16, 21, plain._names["odesa"]),
    ]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(TypeError):
        _capitals.hits("not bytes", "x", {})
    with pytest.raises(ValueError, match="same length"):
        _capitals.hits(b"\x01ab", "ab", {})
    with pytest.raises(TypeError):
        _capitals.hits(b"ab", "ab")
