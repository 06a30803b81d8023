"""The detector's shortcuts give what the plain way gives: local sentences, span scans."""

from __future__ import annotations

import pytest
from tests.oracles.text import ABBREV, ABBREV_SPAN, split_sentences

from newswatch.analysis.events.matcher import PhraseMatcher, fold, pad, padded_text
from newswatch.analysis.events.rules import Lexicon
from newswatch.analysis.events.sentences import first_sentence, sentence_at
from newswatch.analysis.text import abbreviation_before

# Hand-written texts full of the splitter's corner cases: abbreviations, decimals,
# quotes and brackets after a full stop, line breaks, lower case after a stop, runs
# of punctuation, leading and trailing blanks.
TEXTS = [
    "Mr. Petrenko met Gen. Ivanov in St. Petersburg. They spoke for an hour.",
    'He said: "The bridge is gone." Then the convoy turned back! Was it shelled? Nobody knew.',
    "Losses rose by 3.5 per cent. (The figure is disputed.) Officials in the U.S. declined comment.",
    "First line without a stop\nSecond line. third part in lower case. Fourth part.\n\n\nLast line",
    "   Leading blanks. Trailing blanks.   ",
    "Wait... What happened?! It is over. 'Quoted start.' Done",
    "One.\nTwo.  \n  Three",
    "e.g. this one. I.e. that one. No. 5 was hit. Dr. Who? Yes.",
    "Short",
]


@pytest.mark.parametrize("text", TEXTS)
def test_sentence_at_matches_the_full_split(text: str) -> None:
    for s in split_sentences(text):
        for pos in range(s.start, s.end):
            if not text[pos].isspace():
                assert sentence_at(text, pos) == s, (text, pos)


@pytest.mark.parametrize("text", [*TEXTS, "", "   \n "])
def test_first_sentence(text: str) -> None:
    whole = split_sentences(text)
    assert first_sentence(text) == (whole[0] if whole else None)


MATCHER = PhraseMatcher({"w": {"port": ("port",), "shell": ("shell*",), "sea port": ("sea port",)}})


@pytest.mark.parametrize(
    ("text", "start", "end", "found"),
    [
        ("The port was hit. Shelling went on.", 0, 17, ["port"]),  # first sentence only
        ("The port was hit. Shelling went on.", 18, 35, ["Shelling"]),  # second only
        ("A sea port. Port", 0, 11, ["sea port", "port"]),  # overlapping phrases inside
        ("Shell", 0, 3, []),  # a prefix phrase running past the span end is not in it
    ],
)
def test_scan_span_finds_hits_wholly_inside(text: str, start: int, end: int, found: list[str]) -> None:
    hits = MATCHER.scan_span(pad(fold(text)), start, end)
    assert [text[h.start : h.end] for h in hits] == found


def test_scan_span_agrees_with_the_whole_scan() -> None:
    text = "Shelling hit the sea port. The port reopened. Shells fell again."
    padded = pad(fold(text))
    per_sentence = [h for s in split_sentences(text) for h in MATCHER.scan_span(padded, s.start, s.end)]
    assert per_sentence == MATCHER.scan(fold(text))


def test_scan_grouped_holds_scan_span_hits_by_set() -> None:
    lexicon: Lexicon = {"a": {"port": ("port", "sea port")}, "b": {"shell": ("shell*",), "sea": ("sea",)}}
    matcher = PhraseMatcher(lexicon)
    padded = pad(fold("Shelling hit the sea port. The port reopened."))
    hits = matcher.scan_span(padded, 0, 26)
    grouped = matcher.scan_grouped(padded, 0, 26)
    assert grouped == {name: [h for h in hits if h.set == name] for name in ("b", "a")}
    assert list(grouped) == ["b", "a"]  # first hit's set first


@pytest.mark.parametrize(
    "text",
    [
        "".join(chr(c) for c in range(128)),
        "Shelling HIT the port; 5 died.",
        "Kyiv’s “power” — hit",
        "İstanbul ß",
        "",
    ],
)
def test_padded_text_is_the_folded_normalised_text(text: str) -> None:
    assert padded_text(text) == pad(fold(text))


@pytest.mark.parametrize(
    "text",
    [
        "Mr.",
        "See Mr.",
        "aMr.",
        "U.S.",
        "the U.S.",
        "e.g.",
        "Sept.",
        "No!",
        "It is 5.",
        "St.",
        "(Dr.",
        "_Dr.",
        "Prof.",
    ],
)
def test_abbreviation_before_agrees_with_the_pattern(text: str) -> None:
    end = len(text)
    expected = ABBREV.search(text, max(0, end - ABBREV_SPAN), end) is not None
    assert abbreviation_before(text, end) is expected
