"""The phrase matcher's normalising of non-ASCII text (one str.replace per mark present) maps
every character exactly as the translate table does, so offsets and hits are unchanged."""

from __future__ import annotations

import pytest

from newswatch.analysis.events.matcher import _PUNCT, _TO_SPACE, _normalise, fold

TEXTS = [
    "plain ascii, with punctuation: (a) [b] {c}!",
    "Officials said \u201cthe strike\u201d hit \u2018two\u2019 sites \u2013 at night\u2026",
    "Kraków\u2019s mayor \u00abconfirmed\u00bb the blackout \u2014 power\u2010lines down",
    "\u041a\u0438\u0457\u0432 \u2022 \u00b7 \u2033 \u2032 \u201e quoted\u201d",
    "".join(_PUNCT) + " every mark at once " + "".join(reversed(_PUNCT)),
]


@pytest.mark.parametrize("text", TEXTS)
def test_normalise_equals_the_translate_table(text: str) -> None:
    folded = fold(text)
    assert _normalise(folded) == folded.translate(_TO_SPACE)
    assert len(_normalise(folded)) == len(folded)


def test_normalise_equals_the_translate_table_on_random_text() -> None:
    import random

    rng = random.Random(7)
    for _ in range(50):
        text = "".join(chr(rng.randrange(0, 0x3100)) for _ in range(400)) + " a lone surrogate \ud800"
        folded = fold(text)
        assert _normalise(folded) == folded.translate(_TO_SPACE)
