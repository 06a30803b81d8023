"""Builders for articles and analyses used by the alerts unit tests (sentences written for these tests)."""

from __future__ import annotations

from typing import Any

from newswatch.domain.model import (
    Analysis,
    Article,
    Event,
    EventType,
    Evidence,
    Location,
    RegionMention,
    Topic,
    TopicScore,
)

WIRE = (
    "A barrage of cruise missiles struck the main heating and power station on the eastern edge of the city "
    "before dawn, cutting electricity to tens of thousands of homes, the regional administration said. "
    "Repair crews were waiting for the all clear before they could inspect the damaged turbine hall. "
    "Officials said air defence units had intercepted part of the salvo over the northern districts."
)


def event(
    kind: str = "power_plant_strike",
    confidence: float = 0.9,
    subdivision: str | None = "UA-63",
    country: str | None = "UA",
    **attributes: Any,
) -> Event:
    sentence = f"Test evidence for {kind}."
    return Event(
        type=EventType(kind),
        confidence=confidence,
        rule=f"{kind}.test_rule",
        evidence=Evidence(sentence, 0, len(sentence)),
        location=Location(country, subdivision, "Kharkiv" if subdivision == "UA-63" else None),
        attributes=dict(attributes),
    )


def analysis(
    article_id: str = "a1",
    events: tuple[Event, ...] = (),
    regions: tuple[str, ...] = ("UA", "UA-63"),
    topics: dict[str, float] | None = None,
) -> Analysis:
    topics = {"conflict": 0.9} if topics is None else topics
    return Analysis(
        article_id=article_id,
        topics=tuple(TopicScore(Topic(t), s) for t, s in topics.items()),
        regions=tuple(RegionMention(c, c) for c in regions),
        events=events,
    )


def article(
    article_id: str = "a1", body: str = WIRE, source: str | None = "outlet-1", title: str | None = None
) -> Article:
    return Article(
        id=article_id,
        body=body,
        title=title,
        source=source,
        url=f"https://{source or 'x'}.example/{article_id}",
    )


def own_report(n: int) -> str:
    """A differently worded report of the same strike (so it is not a wire copy)."""
    openings = [
        "Residents of the eastern districts woke to explosions as rockets hit the local power plant",
        "The city's largest generating station was hit in an overnight attack according to engineers on site",
        "Emergency services reported fires at the thermal plant after a missile attack late on Monday",
        "Our correspondent saw smoke rising above the power station hours after the strike",
        "The energy ministry confirmed that a combined heat and power plant had been damaged by missiles",
        "Several substations and the main plant lost power when the rockets landed shortly after four",
        "Local journalists filmed damaged transformers outside the plant as firefighters worked",
    ]
    return f"{openings[n % len(openings)]}. Reporter number {n} adds unrelated detail about weather {n * 7}."
