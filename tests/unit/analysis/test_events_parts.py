"""Building blocks of event detection: numbers, dates, phrase matching, context, rule files."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.oracles.scope import distance

from newswatch.analysis.events.assemble import merge_repeats
from newswatch.analysis.events.context import is_blocked, words_between
from newswatch.analysis.events.dates import stated_date
from newswatch.analysis.events.matcher import Hit, PhraseMatcher, fold
from newswatch.analysis.events.rules import RuleFileError, parse_files
from newswatch.analysis.events.scope import within
from newswatch.analysis.numbers import find_quantities, parse_number
from newswatch.domain.model import Event, EventType, Evidence, Location


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13,500 units", {"value": 13500}),  # thousands separator
        ("20,000 – 30,000 troops", {"value": 20000, "high": 30000}),  # en-dash range
        ("20,000-30,000 troops", {"value": 20000, "high": 30000}),  # hyphen range
        ("more than 600 square miles", {"value": 600, "qualifier": "min", "unit": "sq_mi"}),
        ("about 1,200 sq km", {"value": 1200, "qualifier": "approx", "unit": "km2"}),
        ("two soldiers", {"value": 2}),  # number word
        ("dozens of homes", {"value": 24}),  # vague plural: lower bound
        ("1.5 million people", {"value": 1500000}),  # scale word
    ],
)
def test_first_quantity(text: str, expected: dict) -> None:
    assert find_quantities(text)[0].to_attr() == expected


@pytest.mark.parametrize(("token", "value"), [("7", 7.0), ("3,000", 3000.0), ("twelve", 12.0), ("abc", None)])
def test_parse_number(token: str, value: float | None) -> None:
    assert parse_number(token) == value


@pytest.mark.parametrize(
    ("sentence", "iso"),
    [
        ("On 30 April 2023, forces shelled the town.", "2023-04-30"),  # day month year
        ("Around 15 March 2022 (month of), troops left.", "2022-03-15"),
        ("On September 11, 2022 the offensive began.", "2022-09-11"),  # month day, year
        ("Last week the town was shelled.", None),  # no full date
        ("On 45 May 2022 nothing happened.", None),  # not a day
    ],
)
def test_stated_date(sentence: str, iso: str | None) -> None:
    assert stated_date(sentence) == iso


MATCHER = PhraseMatcher({"w": {"port": ("port",), "shell": ("shell*",), "kh": ("kh-101",)}})


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the port was hit", ["port"]),  # whole word
        ("a report said", []),  # not inside another word
        ("ports reopened", []),  # no prefix without *
        ("Shelling began", ["Shelling"]),  # prefix phrase, case folded
        ("a Kh-101 missile", ["Kh-101"]),  # punctuation inside a phrase
        ("port.", ["port"]),  # punctuation after
    ],
)
def test_matcher_word_boundaries(text: str, found: list[str]) -> None:
    assert [text[h.start : h.end] for h in MATCHER.scan(fold(text))] == found


def _hit(text: str, phrase: str, set_name: str) -> Hit:
    start = text.index(phrase)
    return Hit(start, start + len(phrase), set_name, phrase)


@pytest.mark.parametrize(
    ("text", "cue", "cue_set", "blocked"),
    [
        ("Russia threatened to strike power plants", "threatened", "ctx_modal", True),  # threat
        ("Officials said missiles did not strike the plant", "not", "ctx_negation", True),  # negation
        ("Missiles strike the plant, officials warned", "warned", "ctx_modal", False),  # cue after trigger
        ("Threatened for weeks and months by its neighbour across the wide river, the army did strike it",
         "Threatened", "ctx_modal", False),  # cue too far away
    ],
)  # fmt: skip
def test_modality(text: str, cue: str, cue_set: str, blocked: bool) -> None:
    trigger = _hit(text, "strike", "attack")
    assert is_blocked(text, False, trigger, {cue_set: [_hit(text, cue, cue_set)]}) is blocked


def test_question_blocks() -> None:
    assert is_blocked("Did missiles strike?", True, _hit("Did missiles strike?", "strike", "a"), {})


def test_words_between() -> None:
    assert words_between("a b  c d", 1, 6) == 2


@pytest.mark.parametrize(
    ("docs", "message"),
    [
        # a slug must start with an event type (schema)
        ([("a.yaml", {"version": 1, "rules": [{"slug": "no_such_type.x", "all": ["s"]}]})], "a.yaml"),
        ([("a.yaml", {"version": 1, "rules": [{"slug": "strike.x", "all": ["missing"]}]})], "unknown phrase"),
        ([("a.yaml", {"version": 1, "lexicon": {"s": ["x"]}}),
          ("b.yaml", {"version": 1, "lexicon": {"s": ["y"]}})], "defined twice"),
        ([("a.yaml", {"version": 1, "lexicon": {"s": ["x"]},
                      "rules": [{"slug": "strike.x", "all": ["s"]}, {"slug": "strike.x", "all": ["s"]}]})],
         "duplicate"),
    ],
)  # fmt: skip
def test_invalid_rule_files_are_rejected(docs: list, message: str) -> None:
    with pytest.raises(RuleFileError, match=message):
        parse_files(docs)


def test_valid_rule_file_compiles() -> None:
    rs = parse_files(
        [
            (
                "a.yaml",
                {
                    "version": 1,
                    "lexicon": {"s": {"canon": ["x*"]}},
                    "rules": [{"slug": "strike.x", "all": ["s"]}],
                },
            )
        ]
    )
    assert rs.lexicon == {"s": {"canon": ("x*",)}} and rs.rules[0].slug == "strike.x"


def test_merged_repeats_keep_the_first_report_completed_by_later_ones() -> None:
    where = Location("UA", "UA-63", "Kharkiv")
    first = Event(EventType.STRIKE, 0.6, "strike.a", Evidence("A.", 0, 2), where, {"weapon": "drone"}, None)
    later = Event(
        EventType.STRIKE, 0.8, "strike.b", Evidence("B.", 3, 5), where, {"weapon": "x", "n": 2}, "2024-05-01"
    )
    elsewhere = Event(EventType.STRIKE, 0.7, "strike.c", Evidence("C.", 6, 8), Location("UA"), {}, None)
    merged = merge_repeats([first, later, elsewhere])
    attrs = {"weapon": "drone", "n": 2}
    assert merged == (replace(first, confidence=0.8, attributes=attrs, occurred="2024-05-01"), elsewhere)


@pytest.mark.parametrize("window", [0, 1, 2, 3, 6])
@pytest.mark.parametrize(
    ("a", "b"),
    [((0, 4), (5, 9)), ((0, 4), (20, 26)), ((20, 26), (0, 4)), ((3, 12), (5, 9)), ((0, 4), (4, 8))],
)
def test_within_is_the_word_distance_test(a: tuple[int, int], b: tuple[int, int], window: int) -> None:
    text = "Shelling hit the old port  at\\tdawn and again at noon."
    ha, hb = Hit(*a, "s", "v"), Hit(*b, "s", "v")
    assert within(text, ha, hb, window) is (distance(text, ha, hb) <= window)
