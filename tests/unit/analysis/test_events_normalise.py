"""The phrase matcher's normalisation: the byte-table path gives what the character table gives."""

from __future__ import annotations

import random

import pytest

from newswatch.analysis.events.matcher import _TO_SPACE, _normalise, fold


@pytest.mark.parametrize(
    "text",
    [
        "plain ascii, with punctuation: (a) [b] {c}!",
        "Kyiv’s “power” plant — hit… «again» – 3‐4 •",
        "Удар по ТЕЦ у Харкові: «світла немає».",
        "É à ß ﬁ x_y İstanbul",
        "a lone surrogate \ud800 stays",
        "",
    ],
)
def test_normalise_equals_the_character_table(text: str) -> None:
    folded = fold(text)
    assert _normalise(folded) == folded.translate(_TO_SPACE)


def test_normalise_equals_the_character_table_on_random_text() -> None:
    rng = random.Random(7)
    for _ in range(50):
        text = "".join(chr(rng.randrange(0, 0x3100)) for _ in range(400))
        folded = fold(text)
        assert _normalise(folded) == folded.translate(_TO_SPACE)
