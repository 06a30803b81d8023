"""Sentence splitting in one regex pass over the whole text.

The package finds only the sentence around a position (`analysis.events.sentences`,
compiled with mypyc); the tests check it against this whole-text split.
"""

from __future__ import annotations

import re

from newswatch.analysis.text import _ABBREVIATIONS, _BOUNDARY, Sentence

ABBREV = re.compile(rf"\b(?:{'|'.join(re.escape(a) for a in _ABBREVIATIONS)})\.$")
ABBREV_SPAN = 8  # longer than any protected abbreviation, with its dot


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences; offsets index into `text`."""
    out: list[Sentence] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        # only the last few characters can hold an abbreviation
        tail = max(start, m.start() - ABBREV_SPAN)
        if m.group(0).strip() == "" and "\n" not in m.group(0) and ABBREV.search(text, tail, m.start()):
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
