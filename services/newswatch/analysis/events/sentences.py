"""The one sentence around a text position, without splitting the whole text.

Exactly the sentence a whole-text split (`tests/oracles/text.py`) would give for that position, found by
looking only at the nearest boundary candidates on each side. Splitting a 3 KB
article whole costs ~100 µs of regex scanning; most articles have one or two
sentences with an event trigger, and only those are needed.

Why a local search gives the same boundaries as the left-to-right scan: a boundary
match holds only quotes, brackets and whitespace, and starts right after `.`, `!`
or `?` or at a line break. A position holding a word character is never inside a
match, so the scan is "fresh" there: the next match after it is the first candidate
where the pattern matches, and every line break is inside a match that is never
skipped as an abbreviation.
"""

from __future__ import annotations

import re

from newswatch.analysis.text import _BOUNDARY, Sentence, abbreviation_before

_CANDIDATE = re.compile(r"[.!?\n]")


def _accepted(text: str, at: int) -> re.Match[str] | None:
    """The boundary match at `at` unless it is the gap after an abbreviation ("St. Louis")."""
    m = _BOUNDARY.match(text, at)
    if m is None:
        return None
    gap = m.group(0)
    plain_gap = gap.strip() == "" and "\n" not in gap
    if plain_gap and abbreviation_before(text, m.start()):
        return None
    return m


def _end_after(text: str, pos: int) -> int:
    """Where the sentence holding `pos` ends (before trailing whitespace)."""
    c = _CANDIDATE.search(text, pos)
    while c is not None:
        at = c.start() if c.group(0) == "\n" else c.end()
        m = _accepted(text, at)
        if m is not None:
            return _stripped_end(text, m.start())
        c = _CANDIDATE.search(text, c.start() + 1)
    return _stripped_end(text, len(text))


def _stripped_end(text: str, end: int) -> int:
    """`len(text[:end].rstrip())` without copying the text before `end`."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _start_before(text: str, pos: int) -> int:
    """Where the sentence holding `pos` starts (after leading whitespace)."""
    floor = text.rfind("\n", 0, pos) + 1  # a line break always ends a sentence
    at = pos
    while True:
        q = max(text.rfind(".", floor, at), text.rfind("!", floor, at), text.rfind("?", floor, at))
        if q < 0:
            break
        m = _accepted(text, q + 1)
        if m is not None and m.end() <= pos:
            return m.end()
        at = q
    while floor < pos and text[floor].isspace():
        floor += 1
    return floor


def sentence_at(text: str, pos: int) -> Sentence:
    """The sentence a whole-text split puts `pos` in; `text[pos]` must not be whitespace."""
    start, end = _start_before(text, pos), _end_after(text, pos)
    return Sentence(text[start:end], start, end)


def first_sentence(text: str) -> Sentence | None:
    """The first sentence of a whole-text split, or None for a blank text."""
    start = len(text) - len(text.lstrip())
    return sentence_at(text, start) if start < len(text) else None
