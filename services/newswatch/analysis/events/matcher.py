"""One Aho-Corasick automaton over every phrase of every set; word-boundary hits only.

Phrases and text are normalised the same way (lower case, every non-word character
a space, one char for one char) and keys are padded with spaces, so the automaton
itself only reports whole-word matches: no per-match boundary checks in Python, and
"port" inside "report" is never even found. Offsets stay valid in the original text.
"""

from __future__ import annotations

from typing import NamedTuple

import ahocorasick

from newswatch.analysis.events.literals import LiteralStarts
from newswatch.analysis.events.rules import Lexicon

# Every ASCII non-alphanumeric and the common typographic marks become spaces (one for
# one). str.translate is ~20x faster than a regex over a 3 KB article; a rarer non-word
# character left as is only means a phrase next to it is not found.
_PUNCT = "".join(chr(c) for c in range(128) if not chr(c).isalnum()) + "’‘“”„«»–—‐‑…•·″′"
_TO_SPACE = str.maketrans(_PUNCT, " " * len(_PUNCT))


_new = tuple.__new__


class Hit(NamedTuple):
    """A phrase of set `set` found at text[start:end]; `value` is its canonical value."""

    start: int
    end: int
    set: str
    value: str


def fold(text: str) -> str:
    """Lower-case without changing length, so offsets stay valid in the original text."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _normalise(folded: str) -> str:
    if folded.isascii():
        return folded.translate(_TO_SPACE)
    # A text with any non-ASCII character (curly quotes: a third of real news) misses translate's
    # fast path and costs a dict lookup per character; one str.replace per mark present is the
    # same mapping (each mark becomes one space) at ~1/15 of the time.
    for mark in _PUNCT:
        if mark in folded:
            folded = folded.replace(mark, " ")
    return folded


class PhraseMatcher:
    """Compiled once; `scan` is pure and safe to share between threads."""

    def __init__(self, lexicon: Lexicon, triggers: frozenset[str] | None = None) -> None:
        """`triggers`: sets without which no rule can fire; a text with none of them scans empty."""
        table: dict[str, list[tuple[str, str]]] = {}
        for set_name, values in lexicon.items():
            for value, phrases in values.items():
                for phrase in phrases:
                    # " shell" (prefix) vs " port " (whole word): the padding is the boundary.
                    stem = _normalise(fold(phrase.rstrip("*"))).strip()
                    key = f" {stem}" if phrase.endswith("*") else f" {stem} "
                    table.setdefault(key, []).append((set_name, value))
        self._automaton = ahocorasick.Automaton()
        # The gate holds only trigger phrases: finding none of them takes one pass in C,
        # with no Python per match, and then nothing else needs doing.
        self._gate = ahocorasick.Automaton() if triggers is not None else None
        gate_keys = []
        for key, entries in table.items():
            self._automaton.add_word(key, (len(key), len(key.strip()), tuple(entries)))
            if self._gate is not None and triggers and any(name in triggers for name, _ in entries):
                self._gate.add_word(key, len(key))
                gate_keys.append(key)
        self._automaton.make_automaton()
        if self._gate is not None:
            self._gate.make_automaton()
        # The same gate for ASCII texts (the usual article), a few times faster (literals.py).
        self._ascii_gate = LiteralStarts(gate_keys)

    def scan(self, folded: str) -> list[Hit]:
        """Hits in text order (by end offset); `folded` is `fold(text)`."""
        padded = pad(folded)
        # Most news mentions no trigger phrase at all: stop before building any hit.
        if self._gate is not None and next(self._gate.iter(padded), None) is None:
            return []
        return self.scan_span(padded, 0, len(padded) - 2)

    def trigger_starts(self, padded: str) -> list[int]:
        """Text offsets where a trigger phrase starts (needs `triggers`); `padded` is `pad(folded)`."""
        if self._gate is not None and padded.isascii():
            return self._ascii_gate.starts(padded)
        return self.automaton_trigger_starts(padded)  # raises without trigger sets

    def automaton_trigger_starts(self, padded: str) -> list[int]:
        """`trigger_starts` by the Aho-Corasick gate: any text (non-ASCII ones go here)."""
        if self._gate is None:
            raise ValueError("matcher built without trigger sets")
        return [last - key_len + 1 for last, key_len in self._gate.iter(padded)]

    def scan_span(self, padded: str, start: int, end: int) -> list[Hit]:
        """Hits lying wholly inside text[start:end], in text order; `padded` is `pad(folded)`."""
        hits: list[Hit] = []
        # Text offset i is padded offset i + 1: the keys' boundary spaces sit at padded[start]
        # and padded[end + 1], so the slice handed to the automaton is [start, end + 2).
        for last, (key_len, length, entries) in self._automaton.iter(padded, start, end + 2):
            # The key (leading space first) spans padded[last-key_len+1 : last+1]; with the
            # one-char left padding the phrase starts at that same index in the text.
            at = last - key_len + 1
            # A prefix phrase ("shell*") covers the whole word it starts ("shelling").
            stop = at + length if padded[last] == " " else padded.index(" ", last) - 1
            if stop > end:
                continue
            # (start, end) + (set, value) through tuple.__new__: no NamedTuple __new__ call per hit.
            span = (at, stop)
            for entry in entries:
                hits.append(_new(Hit, span + entry))
        return hits

    def scan_grouped(self, padded: str, start: int, end: int) -> dict[str, list[Hit]]:
        """`scan_span`'s hits by set (each list in text order), built in the same pass.

        The rules read hits by set; grouping while scanning saves a list and a second loop.
        """
        by_set: dict[str, list[Hit]] = {}
        get = by_set.get
        for last, (key_len, length, entries) in self._automaton.iter(padded, start, end + 2):
            at = last - key_len + 1
            stop = at + length if padded[last] == " " else padded.index(" ", last) - 1
            if stop > end:
                continue
            for name, value in entries:
                hit = _new(Hit, (at, stop, name, value))
                found = get(name)
                if found is None:
                    by_set[name] = [hit]
                else:
                    found.append(hit)
        return by_set


def pad(folded: str) -> str:
    """The normalised text with one space each side: what the automata run over."""
    return f" {_normalise(folded)} "


# For ASCII text (the usual case) folding and normalising is one bytes.translate with a
# 256-byte table: several times fewer instructions than str.lower() then str.translate
# with a dict, which together cost more than a tenth of a neutral article's detection.
_ASCII_NORMAL = bytes(ord(chr(b).lower()) if b < 128 and chr(b).isalnum() else 32 for b in range(256))


def padded_text(text: str) -> str:
    """`pad(fold(text))`, straight from the text."""
    if text.isascii():
        return f" {text.encode('ascii').translate(_ASCII_NORMAL).decode('ascii')} "
    return pad(fold(text))
