"""Sentence splitting with character offsets (shared by every analyser)."""

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
_ABBREV = re.compile(rf"\b(?:{'|'.join(re.escape(a) for a in _ABBREVIATIONS)})\.$")
_ABBREV_SPAN = 8  # longer than any abbreviation above, with its dot
_ABBREVIATION_SET = frozenset(_ABBREVIATIONS)
_ABBREVIATION_LENGTHS = tuple(sorted({len(a) for a in _ABBREVIATIONS}))
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9А-ЯІЇЄҐ])|\n+")


def abbreviation_before(text: str, end: int) -> bool:
    """Whether `text[:end]` ends with a protected abbreviation and its dot ("St."), the
    abbreviation starting a word: `_ABBREV.search(text, max(0, end - _ABBREV_SPAN), end)`
    for an `end` right after ".", "!" or "?", without the regex engine's cost at each of
    the positions it tries."""
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


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences; offsets index into `text`."""
    out: list[Sentence] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        # Only the last few characters can hold an abbreviation: searching the whole
        # candidate each time made splitting quadratic in the sentence length.
        tail = max(start, m.start() - _ABBREV_SPAN)
        if m.group(0).strip() == "" and "\n" not in m.group(0) and _ABBREV.search(text, tail, m.start()):
            continue
        _append(out, text, start, m.start())
        start = m.end()
    _append(out, text, start, len(text))
    return out


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(text[start:end], start, end))
