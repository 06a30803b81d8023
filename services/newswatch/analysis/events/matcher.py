"""One Aho-Corasick automaton over every phrase of every set; word-boundary hits."""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

from newswatch.analysis.events.rules import Lexicon


@dataclass(frozen=True, slots=True)
class Hit:
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


class PhraseMatcher:
    """Compiled once; `scan` is pure and safe to share between threads."""

    def __init__(self, lexicon: Lexicon) -> None:
        table: dict[str, list[tuple[str, str, bool]]] = {}
        for set_name, values in lexicon.items():
            for value, phrases in values.items():
                for phrase in phrases:
                    key = fold(phrase.rstrip("*"))
                    table.setdefault(key, []).append((set_name, value, phrase.endswith("*")))
        self._automaton = ahocorasick.Automaton()
        for key, entries in table.items():
            self._automaton.add_word(key, (len(key), tuple(entries)))
        self._automaton.make_automaton()

    def scan(self, folded: str) -> list[Hit]:
        """Hits in text order (by end offset); `folded` is `fold(text)`."""
        hits: list[Hit] = []
        n = len(folded)
        for last, (length, entries) in self._automaton.iter(folded):
            start, end = last - length + 1, last + 1
            if start > 0 and folded[start - 1].isalnum():
                continue
            right_open = end >= n or not folded[end].isalnum()
            for set_name, value, prefix in entries:
                if prefix or right_open:
                    hits.append(Hit(start, end, set_name, value))
        return hits
