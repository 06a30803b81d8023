"""Find place names in text: one Aho-Corasick pass, word boundaries, capitals."""

from __future__ import annotations

from typing import NamedTuple

import ahocorasick

from newswatch.analysis.regions.gazetteer import Table
from newswatch.analysis.regions.places import Kind, Place, fold


class Mention(NamedTuple):
    """A capitalised name in the text and every place it may stand for.

    NamedTuples here and for readings and spots: dozens are built per article,
    and a frozen dataclass costs several times more to build.
    """

    start: int
    end: int
    surface: str
    places: tuple[Place, ...]


class NameMatcher:
    """Compiled once from the gazetteer table; `scan` is pure and thread-safe."""

    def __init__(self, table: Table) -> None:
        self._auto = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for key, places in table.items():
            exact = any(p.exact_case for p in places)
            self._auto.add_word(key, (len(key), tuple(places), exact))
        self._auto.make_automaton()

    def scan(self, text: str) -> list[Mention]:
        """Leftmost-longest names that sit on word boundaries and are capitalised."""
        n = len(text)
        found: list[tuple[int, int, tuple[Place, ...], bool]] = []
        for last, (length, places, exact) in self._auto.iter(fold(text)):
            start, end = last - length + 1, last + 1
            # Checked before choosing the longest, so that "the D" (a nickname)
            # ending inside "the Dnipro" cannot hide "Dnipro".
            if not text[start].isupper() or (start and text[start - 1].isalnum()):
                continue
            if end == n or not text[end].isalnum():
                found.append((start, end, places, exact))
        return _longest_first(text, found)


def _longest_first(text: str, found: list[tuple[int, int, tuple[Place, ...], bool]]) -> list[Mention]:
    out: list[Mention] = []
    covered = 0
    for start, end, places, exact in sorted(found, key=lambda f: (f[0], -f[1])):
        if start < covered:
            continue
        surface = text[start:end]
        if exact and not surface.isupper():
            places = tuple(p for p in places if not p.exact_case)
        if places:
            covered = end
            # An outlet or team ("Daily Mail", "Kyiv Independent") hides the
            # places inside it and is no place itself.
            if places[0].kind != Kind.IGNORE:
                out.append(Mention(start, end, surface, places))
    return out
