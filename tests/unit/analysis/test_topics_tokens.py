"""Topic tokeniser: lower-case word tokens, similes blanked before scoring."""

from __future__ import annotations

import pytest
from tests.oracles.tokens import feature_counts, tokens

# (case, text, expected tokens)
TOKEN_CASES = [
    ("lower-cases and splits on punctuation", "Shares ROSE 5%, again.", [b"shares", b"rose", b"5", b"again"]),
    ("curly apostrophe splits like a plain one", "the club\u2019s coach", [b"the", b"club", b"s", b"coach"]),
    (
        "non-ASCII letters stay inside their word",
        "Kyiv \u041a\u0438\u0457\u0432",
        [b"kyiv", "\u043a\u0438\u0457\u0432".encode()],
    ),
    ("simile after 'like' is blanked", "They fled like Olympic sprinters.", [b"they", b"fled", b"like"]),
    ("article after 'like' is skipped too", "It looked like a football pitch", [b"it", b"looked", b"like"]),
    (
        "simile stops at a clause word",
        "ran like sprinters and left tanks",
        [b"ran", b"like", b"and", b"left", b"tanks"],
    ),
    ("'as ADJ as' comparison is blanked", "moved as fast as racing cars", [b"moved", b"as", b"fast", b"as"]),
    (
        "'as well as' is a connective, kept",
        "tanks as well as drones",
        [b"tanks", b"as", b"well", b"as", b"drones"],
    ),
    (
        "verb 'would like to' is kept",
        "we would like to play tennis",
        [b"we", b"would", b"like", b"to", b"play", b"tennis"],
    ),
    ("quoted simile is blanked", "ran like \u201cOlympic sprinters\u201d, then", [b"ran", b"like", b"then"]),
    ("dashes and ellipses split words", "war\u2014peace\u2026now", [b"war", b"peace", b"now"]),
    ("'as if' introduces a comparison", "it sounded as if thunder rolled", [b"it", b"sounded", b"as", b"if"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in TOKEN_CASES], ids=[c[0] for c in TOKEN_CASES])
def test_tokens(text: str, expected: list[bytes]) -> None:
    assert tokens(text, 10_000) == expected


def test_tokens_respect_the_character_limit() -> None:
    assert tokens("alpha beta gamma", 10) == [b"alpha", b"beta"]


def test_title_words_get_their_own_prefixed_features() -> None:
    counts = feature_counts("Budget vote\nThe budget passed.", "Budget vote", 1000)
    assert counts[b"budget"] == 2
    assert counts[b"t:budget"] == 1
    assert counts[b"t:passed"] == 0
