"""Event detection on hand-written sentences: every type, and the hard negatives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from newswatch.analysis.events.detector import EventDetector

CASES = yaml.safe_load((Path(__file__).parents[2] / "fixtures/analysis/event_cases.yaml").read_text("utf-8"))
ALL = [*CASES["positives"], *CASES["hard_negatives"], *CASES["headlines"]]


@pytest.mark.parametrize("case", ALL, ids=[c["name"] for c in ALL])
def test_case(detector: EventDetector, case: dict[str, Any]) -> None:
    found = {e.type.value for e in detector.detect(case["text"])}
    assert set(case.get("expect", ())) <= found, f"missing in {found}"
    assert not found & set(case.get("forbid", ())), f"forbidden in {found}"


def test_every_type_has_a_positive_case() -> None:
    from newswatch.domain.model import EventType

    covered = {t for c in CASES["positives"] for t in c["expect"]}
    assert covered == {t.value for t in EventType}


@pytest.mark.parametrize(
    ("text", "confidence_below"),
    [
        ("The army said it had destroyed an enemy substation with a guided missile.", 0.9),  # claim
        ("Rockets hit the thermal power plant in the city on Monday.", 1.01),  # plain report
    ],
)
def test_claims_lower_confidence(detector: EventDetector, text: str, confidence_below: float) -> None:
    (event,) = [e for e in detector.detect(text) if e.type.value == "power_plant_strike"]
    assert 0 < event.confidence < confidence_below


def test_evidence_offsets_and_rule_slug(detector: EventDetector) -> None:
    text = "Quiet morning.\nOn 30 April 2023, missiles struck the power station near the river."
    (event,) = [e for e in detector.detect(text) if e.type.value == "power_plant_strike"]
    assert text[event.evidence.start : event.evidence.end] == event.evidence.sentence
    assert event.evidence.sentence.startswith("On 30 April 2023")
    assert event.rule.startswith("power_plant_strike.")
    assert event.occurred == "2023-04-30"
    assert event.attributes["weapon"] == "missile"


@pytest.mark.parametrize(
    ("text", "event_type", "attrs"),
    [
        ("Ukrainian troops reached the border with Russia near a crossing point.", "border_crossing",
         {"border": ["RU", "UA"], "crossing_point": "border crossing", "actor": "ukraine"}),
        ("Ukrainian forces clashed with Russian units near the town.", "armed_clash",
         {"actors": ["ukraine", "russia"]}),
        ("At least 5 civilians were killed and 14 wounded in the attack.", "casualties",
         {"killed": 5, "injured": 14, "who": ["civilians"]}),
        ("Troops liberated more than 600 square miles in a week.", "territorial_change",
         {"area": {"value": 600, "qualifier": "min", "unit": "sq_mi"}}),
        ("The retreating units left behind 13,500 units of military equipment.", "equipment_loss",
         {"count": {"value": 13500}}),
        ("A magnitude 6.1 earthquake struck the province, damaging hundreds of homes.", "natural_disaster",
         {"hazard": "earthquake", "magnitude": 6.1}),
        ("Around 2,000 residents were evacuated from the frontline villages.", "displacement",
         {"count": {"value": 2000, "qualifier": "approx"}}),
    ],
)  # fmt: skip
def test_attributes(detector: EventDetector, text: str, event_type: str, attrs: dict[str, Any]) -> None:
    (event,) = [e for e in detector.detect(text) if e.type.value == event_type]
    assert attrs.items() <= event.attributes.items(), event.attributes
