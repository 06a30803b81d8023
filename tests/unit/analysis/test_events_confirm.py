"""The learned confirmer: hashed features, thresholds, and how the detector uses it."""

from __future__ import annotations

import json
import zlib

import pytest

from newswatch.analysis.events.confirm import (
    Confirmer,
    context_names,
    default_path,
    event_features,
    feature_names,
    hashed,
)
from newswatch.analysis.events.detector import EventDetector
from newswatch.analysis.events.rules import load_rules
from newswatch.domain.model import Event, EventType, Evidence, Location


def _event(rule: str, sentence: str, actor: str | None = None, country: str | None = None) -> Event:
    attrs = {"actor": actor} if actor else {}
    return Event(
        EventType.BORDER_CROSSING, 0.6, rule, Evidence(sentence, 0, len(sentence)), Location(country), attrs
    )


def test_features_are_words_pairs_and_slug_joined_with_the_type() -> None:
    names = feature_names("border_crossing", "border_crossing.x", "Troops crossed, it's said.")
    assert names[:2] == ["border_crossing|bias", "border_crossing|r|border_crossing.x"]
    assert "border_crossing|w|it's" in names and "border_crossing|b|troops crossed" in names


def test_an_acting_force_outside_its_country_is_a_feature() -> None:
    abroad = event_features(_event("border_crossing.x", "Ukrainian troops in Kursk.", "ukraine", "RU"))
    home = event_features(_event("border_crossing.x", "Russian troops in Kursk.", "russia", "RU"))
    assert "border_crossing|actor_abroad|True" in abroad
    assert "border_crossing|actor_abroad|False" in home


def test_hashing_is_crc32_and_stable_across_processes() -> None:
    assert hashed(["a|w|b"], 1 << 18) == [zlib.crc32(b"a|w|b") % (1 << 18)]


def _confirmer(word_weight: float) -> Confirmer:
    dim = 1 << 18
    (bias,) = hashed(["border_crossing|bias"], dim)
    (raid,) = hashed(["border_crossing|w|raid"], dim)
    return Confirmer(dim, 0.5, 0.8, frozenset({"border_crossing"}), {bias: -1.0, raid: word_weight})


@pytest.mark.parametrize(
    ("weight", "rule", "kept"),
    [
        (3.0, "border_crossing.candidate_x", True),  # p = 0.88 >= 0.8
        (2.0, "border_crossing.candidate_x", False),  # p = 0.73 < 0.8: candidates need more
        (2.0, "border_crossing.precise", True),  # 0.73 >= 0.5 for a judged type's precise rule
        (0.0, "border_crossing.precise", False),  # 0.27
    ],
)
def test_thresholds(weight: float, rule: str, kept: bool) -> None:
    e = _event(rule, "A raid across the line.")
    assert (_confirmer(weight).confirm([e]) == [e]) is kept


def test_types_not_judged_pass_untouched() -> None:
    e = Event(EventType.STRIKE, 0.8, "strike.x", Evidence("Shelling.", 0, 9))
    assert _confirmer(-9.0).confirm([e]) == [e]


def test_without_a_confirmer_candidate_rules_propose_nothing() -> None:
    text = "Saboteurs set fire to cables and thousands were left without power in the city."
    bare = EventDetector(load_rules(), confirmer=None)
    assert any(".candidate_" in e.rule for e in bare.proposals(text))
    assert not any(".candidate_" in e.rule for e in bare.detect(text))


def test_the_shipped_weights_are_small_and_numbers_only() -> None:
    raw = default_path().read_text(encoding="utf-8")
    assert len(raw) < 1_000_000
    doc = json.loads(raw)
    assert all(k.isdigit() and isinstance(v, float) for k, v in doc["weights"].items())
    c = Confirmer.load()
    assert 0.5 <= c.candidate_threshold <= 1.01 and c.types <= {"border_crossing", "power_plant_strike"}


def test_cue_classes_of_the_sentence_and_the_article_are_features() -> None:
    e = _event("border_crossing.candidate_x", "Troops in the border area.")
    names = event_features(e, context_names(["armed_force", "ctx_modal"], ["armed_force", "incursion"]))
    assert "border_crossing|c|s:ctx_modal" in names and "border_crossing|c|d:incursion" in names
    assert "border_crossing|first_sentence" in names  # the evidence opens the text: a headline


def test_per_type_bars_override_the_shared_ones() -> None:
    dim = 1 << 18
    (bias,) = hashed(["border_crossing|bias"], dim)
    e = _event("border_crossing.candidate_x", "A raid across the line.")  # p = 0.73
    shared = Confirmer(dim, 0.5, 0.8, frozenset(), {bias: 1.0})
    assert shared.confirm([e]) == []
    lower = Confirmer(dim, 0.5, 0.8, frozenset(), {bias: 1.0}, {"border_crossing": 0.7})
    assert lower.confirm([e]) == [e]
    precise = _event("border_crossing.precise", "A raid across the line.")
    bars = {"border_crossing": 0.75}
    judged = Confirmer(dim, 0.5, 0.8, frozenset({"border_crossing"}), {bias: 1.0}, {}, bars)
    assert judged.confirm([precise]) == []


def test_the_detector_hands_the_confirmer_the_sentence_context() -> None:
    text = "Officials met on Monday.\nTroops raided a border village in the neighbouring country."
    det = EventDetector(load_rules(), confirmer=None)
    found = [(e, c) for e, c in det.proposals_in_context(text) if ".candidate_" in e.rule]
    assert found
    _, context = found[0]
    assert "s:armed_force" in context and "d:armed_force" in context


def test_a_control_verb_with_a_force_is_a_territorial_proposal() -> None:
    text = "Rebel fighters stormed the provincial capital on Sunday."
    det = EventDetector(load_rules(), confirmer=None)
    assert "territorial_change.candidate_control_change" in {e.rule for e in det.proposals(text)}
