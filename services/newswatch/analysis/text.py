"""Sentence boundaries with character offsets (shared by every analyser).

The events stage finds the one sentence around a position (`events.sentences`)
rather than splitting whole texts; `tests/oracles/text.py` splits whole texts
with the same boundary rule, for the tests to compare against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally followed by quotes/brackets) before
# whitespace and an upper-case letter, digit or quote, or at a line break.
# Common abbreviations are protected so "St. Petersburg" stays whole.
_ABBREVIATIONS = (
    "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Gen", "Lt", "Col", "Maj", "Sgt", "Capt", "Gov", "Sen", "Rep",
    "Jr", "Sr", "Inc", "Ltd", "Co", "Corp", "vs", "etc", "No", "U.S", "U.K", "e.g", "i.e", "Jan", "Feb",
    "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
)  # fmt: skip
_ABBREVIATION_SET = frozenset(_ABBREVIATIONS)
_ABBREVIATION_LENGTHS = tuple(sorted({len(a) for a in _ABBREVIATIONS}))
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9А-ЯІЇЄҐ])|\n+")


def abbreviation_before(text: str, end: int) -> bool:
    """Whether `text[:end]` ends with a protected abbreviation and its dot ("St."), the
    abbreviation starting a word: what the word-bounded regex of the abbreviations
    (`ABBREV` in tests/oracles/text.py) finds ending at an `end` right after ".", "!" or "?",
    without a regex engine's cost at each position."""
    if end < 1 or text[end - 1] != ".":
        return False
    for n in _ABBREVIATION_LENGTHS:
        start = end - 1 - n
        if start < 0:
            break
        if text[start : end - 1] in _ABBREVIATION_SET and (start == 0 or not _is_word_char(text[start - 1])):
            return True
    return False


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what the regex engine's \b reads as a word character


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    end: int
