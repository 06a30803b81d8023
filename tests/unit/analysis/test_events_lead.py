"""The lead rule: a type first told after the lead is a background mention, not news."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from newswatch.analysis.events.detector import EventDetector
from newswatch.analysis.events.lead import BACKGROUND_FACTOR, LEAD_CHARS, weigh_by_lead
from newswatch.domain.model import REPORTED_CONFIDENCE, Event, EventType, Evidence, Location

FILLER = (
    "Engineers worked through the night to reconnect homes in the eastern districts. "
    "The city council opened heating points in schools and libraries for families. "
    "Shops ran generators on the pavements while queues formed at the few open cafes. "
    "Officials said repairs could take several more days if the frost continued. "
    "Volunteers handed out blankets and hot tea at the main railway terminal. "
    "Schools moved lessons online for the rest of the week to save power. "
)


def _types(events: tuple[Event, ...], reported: bool) -> set[str]:
    return {e.type.value for e in events if e.reported is reported}


def _told_late(lead: str, late: str) -> str:
    """An article of `lead`, filler, then `late`, which starts past the lead."""
    text = lead + FILLER + late
    assert text.index(late) > LEAD_CHARS
    return text


def test_a_type_first_told_after_the_lead_is_background(detector: EventDetector) -> None:
    text = _told_late(
        "Half of Odesa was left without electricity on Tuesday as temperatures fell below zero. ",
        "Last winter a drone strike damaged the city's main thermal power plant.",
    )
    events = detector.detect(text)
    assert "blackout" in _types(events, reported=True)
    assert _types(events, reported=False) >= {"power_plant_strike"}
    background = [e for e in events if e.type is EventType.POWER_PLANT_STRIKE]
    assert all(e.attributes.get("background") is True for e in background)
    assert all(e.confidence < REPORTED_CONFIDENCE for e in background)


def test_the_same_strike_in_the_lead_is_news(detector: EventDetector) -> None:
    text = "A drone strike damaged Odesa's main thermal power plant overnight, officials said. " + FILLER
    events = detector.detect(text)
    assert "power_plant_strike" in _types(events, reported=True)
    assert not any(e.attributes.get("background") for e in events)


def test_a_type_led_with_keeps_its_later_reports(detector: EventDetector) -> None:
    text = (
        "Russian missiles hit a power station near Kharkiv early on Monday, the governor said. "
        + FILLER
        + "Later in the day a drone attack also hit a substation outside Sumy."
    )
    events = detector.detect(text)
    strikes = [e for e in events if e.type is EventType.POWER_PLANT_STRIKE]
    assert len(strikes) >= 1
    assert all(e.reported and not e.attributes.get("background") for e in strikes)


def test_the_rule_can_be_switched_off() -> None:
    late = Event(EventType.STRIKE, 0.8, "strike.x", Evidence("s", 900, 901))
    assert weigh_by_lead([late], None) == [late]
    (weighed,) = weigh_by_lead([late], 500)
    assert weighed.confidence == pytest.approx(0.8 * BACKGROUND_FACTOR)
    assert not weighed.reported


def test_story_details_told_late_stay_news(detector: EventDetector) -> None:
    # Retreats, captures and equipment losses further down are details of the story itself.
    text = _told_late(
        "Ukrainian forces pushed deep into the occupied north-east on Saturday, officials said. ",
        "Russian units abandoned their positions and fled east, leaving 40 tanks behind.",
    )
    events = detector.detect(text)
    assert {"retreat", "equipment_loss"} <= _types(events, reported=True)


def test_a_background_mention_keeps_every_other_field() -> None:
    # _background builds the Event directly (faster than dataclasses.replace): nothing may be lost.
    late = Event(
        EventType.STRIKE,
        0.8,
        "strike.strike_act",
        Evidence("Missiles hit the port.", 900, 922),
        Location("UA", "UA-51", "Odesa"),
        {"weapon": "missile"},
        "2024-05-01",
    )
    (weighed,) = weigh_by_lead([late], 500)
    expected = replace(
        late,
        confidence=round(0.8 * BACKGROUND_FACTOR, 4),
        attributes={"weapon": "missile", "background": True},
    )
    assert weighed == expected
    assert [f.name for f in fields(Event)] == [
        "type",
        "confidence",
        "rule",
        "evidence",
        "location",
        "attributes",
        "occurred",
    ]
