"""News or background by tense and time: an event is background only when the text marks it as earlier."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest

from newswatch.analysis.events.dates import stated_date
from newswatch.analysis.events.detector import EventDetector
from newswatch.analysis.events.rules import load_rules
from newswatch.analysis.events.timeframe import BACKGROUND_FACTOR, background, earlier, weigh_by_time
from newswatch.domain.model import REPORTED_CONFIDENCE, Event, EventType, Evidence, Location

FILLER = (
    "Engineers worked through the night to reconnect homes in the eastern districts. "
    "The city council opened heating points in schools and libraries for families. "
    "Shops ran generators on the pavements while queues formed at the few open cafes. "
    "Officials said repairs could take several more days if the frost continued. "
    "Volunteers handed out blankets and hot tea at the main railway terminal. "
    "Schools moved lessons online for the rest of the week to save power. "
)
LEAD_CHARS = 500  # what the former position rule called the lead


def _types(events: tuple[Event, ...], reported: bool) -> set[str]:
    return {e.type.value for e in events if e.reported is reported}


def _told_late(lead: str, late: str) -> str:
    """An article of `lead`, filler, then `late`, which starts past the lead."""
    text = lead + FILLER + late
    assert text.index(late) > LEAD_CHARS
    return text


def test_a_type_told_late_and_marked_as_earlier_is_background(detector: EventDetector) -> None:
    text = _told_late(
        "Half of Odesa was left without electricity on Tuesday as temperatures fell below zero. ",
        "Last winter a drone strike damaged the city's main thermal power plant.",
    )
    events = detector.detect(text)
    assert "blackout" in _types(events, reported=True)
    assert _types(events, reported=False) >= {"power_plant_strike"}
    background_ = [e for e in events if e.type is EventType.POWER_PLANT_STRIKE]
    assert all(e.attributes.get("background") is True for e in background_)
    assert all(e.confidence < REPORTED_CONFIDENCE for e in background_)


def test_a_type_told_late_without_a_past_marker_is_news(detector: EventDetector) -> None:
    text = _told_late(
        "Half of Odesa was left without electricity on Tuesday as temperatures fell below zero. ",
        "A drone strike damaged the city's main thermal power plant before dawn, the mayor said.",
    )
    events = detector.detect(text)
    assert {"blackout", "power_plant_strike"} <= _types(events, reported=True)
    assert not any(e.attributes.get("background") for e in events)


def test_the_same_strike_in_the_lead_is_news(detector: EventDetector) -> None:
    text = "A drone strike damaged Odesa's main thermal power plant overnight, officials said. " + FILLER
    events = detector.detect(text)
    assert "power_plant_strike" in _types(events, reported=True)
    assert not any(e.attributes.get("background") for e in events)


def test_a_past_marker_in_the_lead_makes_it_background(detector: EventDetector) -> None:
    text = "Two years ago a drone strike damaged Odesa's main thermal power plant. " + FILLER
    assert "power_plant_strike" in _types(detector.detect(text), reported=False)


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


def test_an_explicit_past_date_told_late_is_background(detector: EventDetector) -> None:
    text = _told_late(
        "Half of Odesa was left without electricity on Tuesday as temperatures fell below zero. ",
        "On 3 March 2022 a drone strike damaged the city's main thermal power plant.",
    )
    events = detector.detect(text, published="2024-01-09T08:00:00Z")
    assert "power_plant_strike" in _types(events, reported=False)
    assert "blackout" in _types(events, reported=True)


def test_a_past_frame_carries_to_the_next_sentence_of_its_paragraph(detector: EventDetector) -> None:
    text = (
        "The governor opened a new school in the town on Friday.\n"
        "Last winter the army targeted the region's energy system. "
        "Missiles hit a thermal power plant and two substations.\n"
        "On Sunday night missiles hit a hydroelectric power station upstream."
    )
    events = [e for e in detector.detect(text) if e.type is EventType.POWER_PLANT_STRIKE]
    told = {text[e.evidence.start : e.evidence.end]: e.reported for e in events}
    assert told.get("Missiles hit a thermal power plant and two substations.") is not True
    assert told["On Sunday night missiles hit a hydroelectric power station upstream."] is True


def test_the_rule_can_be_switched_off() -> None:
    off = EventDetector(load_rules(), timeframe=False)
    text = "Last winter a drone strike damaged the city's main thermal power plant."
    assert "power_plant_strike" in _types(off.detect(text), reported=True)
    late = Event(EventType.STRIKE, 0.8, "strike.x", Evidence("Last year missiles hit.", 0, 23))
    (weighed,) = weigh_by_time([late], "Last year missiles hit.")
    assert weighed.confidence == pytest.approx(0.8 * BACKGROUND_FACTOR)
    assert not weighed.reported


REF = date(2024, 5, 10)


@pytest.mark.parametrize(
    ("sentence", "is_earlier"),
    [
        # fresh anchors: news wherever they are told
        ("Rockets hit two power plants overnight.", False),
        ("On Sunday night rockets hit two power plants.", False),
        ("By this morning the city was dark.", False),
        ("Missiles hit the plant overnight, a year after the first attack on it.", False),
        # explicit and relative past
        ("On 3 March 2022 rockets hit two power plants.", True),
        ("In 2022 rockets hit two power plants.", True),
        ("Rockets hit two power plants last month.", True),
        ("Earlier this year rockets hit two power plants.", True),
        ("Three years ago rockets hit two power plants.", True),
        ("The city has had no heating since last winter.", True),
        ("At the start of the invasion troops crossed the border.", True),
        # neither: news
        ("Rockets hit two power plants.", False),
        ("On 9 May 2024 rockets hit two power plants.", False),
        ("In 2024 the grid was hit more than ever.", False),
        ("Since Russian shelling began, 20 people have been killed.", False),
        ("The attack was the sixth on the grid since early October.", False),
        ("The biggest attack on the grid since last winter cut power to Kyiv.", False),
        ("Residents have struggled since then, because troops destroyed the plant.", True),
        ("Blackouts could last longer than previously planned.", False),
    ],
)
def test_earlier_sentences(sentence: str, is_earlier: bool) -> None:
    # the detector hands over the date it read in the sentence (Event.occurred)
    assert earlier(sentence, 0, len(sentence), REF, stated_date(sentence)) is is_earlier


def test_without_a_published_date_the_first_stated_date_is_the_reference() -> None:
    text = "On 30 April 2023, missiles hit Kharkiv. On 30 April 2023 a substation was hit too."
    ev = Event(
        EventType.POWER_PLANT_STRIKE, 0.9, "p.x", Evidence(text[40:], 40, len(text)), occurred="2023-04-30"
    )
    (weighed,) = weigh_by_time([ev], text)
    assert weighed.reported
    old = "On 30 April 2023, missiles hit Kharkiv. On 2 January 2023 a substation was hit."
    ev = Event(
        EventType.POWER_PLANT_STRIKE, 0.9, "p.x", Evidence(old[40:], 40, len(old)), occurred="2023-01-02"
    )
    (weighed,) = weigh_by_time([ev], old)
    assert not weighed.reported


def test_a_background_mention_keeps_every_other_field() -> None:
    # `background` builds the Event directly (faster than dataclasses.replace): nothing may be lost.
    late = Event(
        EventType.STRIKE,
        0.8,
        "strike.strike_act",
        Evidence("Missiles hit the port.", 900, 922),
        Location("UA", "UA-51", "Odesa"),
        {"weapon": "missile"},
        "2024-05-01",
    )
    weighed = background(late)
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
