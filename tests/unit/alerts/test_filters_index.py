"""Filters (table-driven) and the index: the index finds exactly what a linear scan would."""

from __future__ import annotations

import random

import pytest

from newswatch.alerts.filters import matches, matches_article, watches_articles
from newswatch.alerts.index import SubscriptionIndex, sub_keys
from newswatch.alerts.ports import Filters, Subscription, TopicFilter, Webhook
from newswatch.alerts.view import view_of
from tests.unit.alerts.factory import analysis, article, event

VIEW = view_of(
    article(title="Rockets hit power plant"),
    analysis(events=(event("power_plant_strike", 0.8), event("casualties", 0.5, killed=2))),
)

CASES = [
    # (filters, expected) - one line per behaviour
    (Filters(), True),  # empty filter matches any article with an event
    (Filters(event_types=("power_plant_strike",)), True),  # wanted type present
    (Filters(event_types=("protest",)), False),  # wanted type absent
    (Filters(regions=("UA",)), True),  # a country matches its subdivision UA-63
    (Filters(regions=("UA-63",)), True),  # exact subdivision
    (Filters(regions=("UA-65",)), False),  # a sibling subdivision does not match
    (Filters(regions=("RU", "UA-63")), True),  # any region in the list is enough
    (Filters(topics=(TopicFilter("conflict", 0.5),)), True),  # topic score above minimum
    (Filters(topics=(TopicFilter("conflict", 0.95),)), False),  # topic score below minimum
    (Filters(topics=(TopicFilter("sport"),)), False),  # topic absent
    (Filters(keywords=("turbine",)), True),  # single word in body
    (Filters(keywords=("power station",)), True),  # phrase in body
    (Filters(keywords=("hit power",)), True),  # phrase from the title
    (Filters(keywords=("turbines",)), False),  # whole words only
    (Filters(min_confidence=0.85), False),  # no event confident enough
    (
        Filters(event_types=("casualties",), min_confidence=0.6),
        False,
    ),  # only the wanted type's confidence counts
    (Filters(event_types=("power_plant_strike",), min_confidence=0.6), True),  # the wanted type is confident
    (Filters(event_types=("power_plant_strike",), regions=("RU",)), False),  # every dimension must match
]


@pytest.mark.parametrize(("filters", "expected"), CASES)
def test_filter(filters: Filters, expected: bool) -> None:
    assert matches(filters, VIEW) is expected


def test_article_without_events_matches_nothing() -> None:
    v = view_of(article(), analysis(events=()))
    assert matches(Filters(), v) is False
    assert SubscriptionIndex([_sub(0, Filters())]).match(v) == []


ARTICLE_CASES = [
    # (filters, expected) for an article that reports no event - one line per behaviour
    (Filters(topics=(TopicFilter("conflict", 0.5),)), True),  # a topic subscription matches on the topic
    (Filters(keywords=("turbine",)), True),  # a keyword subscription on the words
    (Filters(topics=(TopicFilter("conflict"),), regions=("PL",)), False),  # its regions still apply
    (
        Filters(topics=(TopicFilter("conflict"),), regions=("UA",)),
        True,
    ),  # ... and match a subdivision's country
    (Filters(regions=("UA",)), True),  # a region alone matches the article's country
    (Filters(regions=("UA-63",)), True),  # ... or its subdivision
    (Filters(regions=("PL", "UA-63")), True),  # any region of the filter will do
    (Filters(regions=("PL",)), False),  # a region the article is not about
    (Filters(regions=("UA",), keywords=("football",)), False),  # region and keyword: both must match
    (Filters(regions=("UA",), keywords=("turbine",)), True),  # ... and do
    (Filters(), False),  # no filter at all stays on events: the whole feed is not news
    (
        Filters(event_types=("power_plant_strike",), topics=(TopicFilter("conflict"),)),
        False,
    ),  # so do event types
    (Filters(topics=(TopicFilter("sport"),)), False),  # topic absent
]


@pytest.mark.parametrize(("filters", "expected"), ARTICLE_CASES)
def test_topic_and_keyword_subscriptions_match_articles_without_events(
    filters: Filters, expected: bool
) -> None:
    v = view_of(article(title="Rockets hit power plant"), analysis(events=()))
    assert [s.id for s in SubscriptionIndex([_sub(0, filters)]).match_article(v)] == (
        ["s0"] if expected else []
    )


def test_sub_keys_caps_the_cross_product() -> None:
    many = Filters(event_types=("strike", "protest"), regions=tuple(f"UA-{n:02d}" for n in range(200)))
    assert sub_keys(many) == [("strike", "*"), ("protest", "*")]


def _sub(n: int, f: Filters) -> Subscription:
    return Subscription(f"s{n}", "t", "n", f, Webhook("https://h.example"), "whsec_x")


def _random_filters(rng: random.Random) -> Filters:
    types = ["power_plant_strike", "casualties", "strike", "protest"]
    regions = ["UA", "UA-63", "UA-65", "RU", "PL"]
    pick = lambda xs: tuple(rng.sample(xs, rng.randint(0, 2)))  # noqa: E731
    return Filters(
        event_types=pick(types),
        regions=pick(regions),
        topics=tuple(TopicFilter(t, rng.choice([0.0, 0.5, 0.95])) for t in pick(["conflict", "sport"])),
        keywords=pick(["turbine", "power station", "football"]),
        min_confidence=rng.choice([0.0, 0.6, 0.85]),
    )


def test_index_agrees_with_a_linear_scan() -> None:
    rng = random.Random(7)
    subs = [_sub(n, _random_filters(rng)) for n in range(3000)]
    index = SubscriptionIndex(subs)
    expected = {s.id for s in subs if matches(s.filters, VIEW)}
    assert {s.id for s in index.match(VIEW)} == expected
    assert 0 < len(expected) < len(subs)  # the case is not trivial either way


def test_index_agrees_with_a_linear_scan_for_articles_without_events() -> None:
    rng = random.Random(11)
    subs = [_sub(n, _random_filters(rng)) for n in range(3000)]
    index = SubscriptionIndex(subs)
    v = view_of(article(title="Rockets hit power plant"), analysis(events=()))
    expected = {s.id for s in subs if watches_articles(s.filters) and matches_article(s.filters, v)}
    found = [s.id for s in index.match_article(v)]
    assert sorted(found) == sorted(expected) and len(found) == len(set(found))
    assert any(not subs[int(i[1:])].filters.topics and not subs[int(i[1:])].filters.keywords for i in found)
