"""Find place names in text: capitalised words looked up in a dict of folded names."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import NamedTuple

from newswatch.analysis.regions.anchor import anchor_of, options
from newswatch.analysis.regions.choose import Scored, ScoreMemo, scoring
from newswatch.analysis.regions.gazetteer import Table
from newswatch.analysis.regions.places import DEMONYM, IGNORE, TOWN, Place, fold


class Mention(NamedTuple):
    """A capitalised name in the text and every place it may stand for, with
    what `describe` knows of those places (computed once per name at load).

    NamedTuples here and for readings and spots: dozens are built per article,
    and a frozen dataclass costs several times more to build.
    """

    start: int
    end: int
    surface: str
    places: tuple[Place, ...]
    anchor: str | None = None  # the country the name surely means (anchor.anchor_of)
    towns: bool = False  # some reading is a town: river and person checks apply
    demonym: Place | None = None  # its first demonym reading
    person: bool = True  # also a listed person's name: check the context
    options: tuple[Place, ...] = ()  # the readings `choose` needs (anchor.options)
    scored: Scored = ()  # choose.scoring(options)


class Readings(NamedTuple):
    """The part of a Mention that depends on the name alone."""

    places: tuple[Place, ...]
    anchor: str | None
    towns: bool
    demonym: Place | None
    person: bool
    options: tuple[Place, ...]
    scored: Scored


def describe(places: tuple[Place, ...], person: bool = True, shared: ScoreMemo | None = None) -> Readings:
    """`shared`: facts of readings met before (choose.ScoreMemo), when describing many names."""
    towns = any(p.kind is TOWN for p in places)
    demonym = next((p for p in places if p.kind is DEMONYM), None)
    kept = options(places)
    return Readings(places, anchor_of(places), towns, demonym, person, kept, scoring(kept, shared))


class _Entry(NamedTuple):
    """A folded name, or the start of longer names, or both."""

    # How longer names go on after this one: their next `_AHEAD` characters
    # (fewer if the name ends there). Empty when no longer name starts with this one.
    longer: frozenset[str]
    name: Readings | None  # None when only the start of longer names
    # The name when the surface is not in capitals: acronym readings ("US")
    # dropped. None when the name has no acronym reading.
    cased: Readings | None
    # The members of `longer` shorter than `_AHEAD` (longer names that end
    # within that many characters; seldom): the text must start with one.
    short: tuple[str, ...] = ()


# Mentions are built with tuple.__new__: a NamedTuple's own __new__ is a Python call.
_new_tuple = tuple.__new__
_NO_LONGER: frozenset[str] = frozenset()  # shared: most names start no longer one
_BREAK = re.compile(r"[\W_]")  # not alphanumeric: where a name may end
# How many characters after a name are checked against the longer names that
# start with it before looking for the next word: four tell "The Federated ..."
# from "The festival" (two did not, and a failed try costs a regex search).
_AHEAD = 4
_MARK = 1  # the byte that stands for a capital in `NameMatcher._marks` (a control character)


class NameMatcher:
    """Compiled once from the gazetteer table; `scan` is pure and thread-safe.

    A name must start with a capital after a non-alphanumeric character and end
    before one. So only capitalised words are looked up (one dict lookup for
    most), and a name goes on past a word only while it is the start of a
    longer name; no per-character scan of the whole text.
    """

    def __init__(self, table: Table, people: frozenset[str] = frozenset(), native: bool = True) -> None:
        """`people`: lower-cased person names that are also place names ("Chad"); `native`: use
        the C word finder when the build has it (False: the regex, as pure installs do)."""
        people = frozenset(fold(name) for name in people)
        # Every place a name may be cut at on the way to its end (before a
        # character that is no letter or digit), and how it goes on from there.
        longer: dict[str, set[str]] = defaultdict(set)
        for key in table:
            for i in range(1, len(key)):
                if not key[i].isalnum():
                    longer[key[:i]].add(key[i : i + _AHEAD])
        shared = ScoreMemo()  # `choose` facts shared between names
        self._names = {
            key: _entry(
                frozenset(longer[key]) if key in longer else _NO_LONGER,
                tuple(table.get(key, ())),
                key in people,
                shared,
            )
            for key in table.keys() | longer.keys()
        }
        # A capital not right after a letter or digit, and the rest of its word
        # (the look-behind after the capital keeps the regex's fast first-letter search).
        capitals = _capitals({key[0] for key in table})
        self._word = re.compile(f"[{''.join(map(re.escape, capitals))}](?<![^\\W_].)[^\\W_]*")
        # The same words in an ASCII text, found in a copy where each of those
        # capitals is one marker byte: the regex then looks for one literal
        # byte, several times faster than testing a class at every character.
        marked = set(capitals)
        self._marks = bytes(_MARK if chr(i) in marked else (0 if i == _MARK else i) for i in range(256))
        self._ascii_word = re.compile(rb"\x01(?<![0-9A-Za-z\x01].)[0-9A-Za-z\x01]*")
        # Those words that name something: in C when the build has `_capitals.c` (the same
        # answer; it skips a match object and a loop turn per capitalised word that is no name).
        self._native_hits = _native_capital_hits() if native else None

    def _ascii_hits(self, marked: bytes, low: str) -> list[tuple[int, int, _Entry]]:
        if self._native_hits is not None:
            return self._native_hits(marked, low, self._names)
        return _word_hits(self._ascii_word.finditer(marked), low, self._names)

    @property
    def native(self) -> bool:
        """Whether the C word finder is in use."""
        return self._native_hits is not None

    def scan(self, text: str) -> list[Mention]:
        """Leftmost-longest names that sit on word boundaries and are capitalised."""
        get = self._names.get
        out: list[Mention] = []
        covered = 0
        if text.isascii():  # the usual text
            low = text.lower()  # `fold` of an ASCII text: no apostrophe to fold, same length
            # Offsets in the marked bytes are offsets in the text (one byte per character).
            marked = text.encode("ascii").translate(self._marks)
            found = self._ascii_hits(marked, low)
        else:
            low = fold(text)
            found = _word_hits(self._word.finditer(text), low, self._names)
        for start, end, entry in found:
            if start < covered:
                continue
            then = low[end : end + _AHEAD]  # shorter at the end of the text
            if then in entry.longer or (entry.short and then.startswith(entry.short)):
                hits = _hits(text, low, start, end, entry, get)
                covered = _longest(text, start, hits, out) or covered
                continue
            # Usually no longer name goes on here: `_longest` of this one hit, inline.
            name = entry.name
            if name is None:  # only the start of longer names ("The")
                continue
            surface = text[start:end]
            if entry.cased is not None and not surface.isupper():
                name = entry.cased
            if name.places:
                # An outlet or team ("Daily Mail", "Kyiv Independent") hides the
                # places inside it and is no place itself.
                if name.places[0].kind is not IGNORE:
                    out.append(_new_tuple(Mention, (start, end, surface, *name)))
                covered = end
        return out


def _word_hits(
    words: Iterator[re.Match[str]] | Iterator[re.Match[bytes]], low: str, names: dict[str, _Entry]
) -> list[tuple[int, int, _Entry]]:
    """The words `names` knows, with their offsets (most capitalised words are no name)."""
    get = names.get
    out = []
    for word in words:
        start, end = word.span()
        entry = get(low[start:end])
        if entry is not None:
            out.append((start, end, entry))
    return out


def _hits(
    text: str, low: str, start: int, end: int, entry: _Entry | None, get: Callable
) -> list[tuple[int, _Entry]]:
    """Every name that starts at `start` and ends at `end` or further, with its end."""
    hits = []
    while entry is not None:
        if entry.name is not None:
            hits.append((end, entry))
        then = low[end : end + _AHEAD]
        if then not in entry.longer and not (entry.short and then.startswith(entry.short)):
            break
        stop = _BREAK.search(text, end + 1)
        end = stop.start() if stop else len(text)
        entry = get(low[start:end])
    return hits


def _longest(text: str, start: int, hits: list[tuple[int, _Entry]], out: list[Mention]) -> int:
    """Add the longest hit at `start` that keeps a reading; its end, else 0."""
    for end, entry in reversed(hits):
        name, surface = entry.name, text[start:end]
        if entry.cased is not None and not surface.isupper():
            name = entry.cased
        if name is not None and name.places:
            # An outlet or team ("Daily Mail", "Kyiv Independent") hides the
            # places inside it and is no place itself.
            if name.places[0].kind is not IGNORE:
                out.append(_new_tuple(Mention, (start, end, surface, *name)))
            return end
    return 0


def _entry(longer: frozenset[str], places: tuple[Place, ...], person: bool, shared: ScoreMemo) -> _Entry:
    short = tuple(rest for rest in longer if len(rest) < _AHEAD)
    if not places:
        return _Entry(longer, None, None, short)
    name = describe(places, person, shared)
    if not any(p.exact_case for p in places):
        return _Entry(longer, name, None, short)
    return _Entry(longer, name, describe(tuple(p for p in places if not p.exact_case), person, shared), short)


HitsFn = Callable[[bytes, str, dict[str, _Entry]], list[tuple[int, int, _Entry]]]


def _native_capital_hits() -> HitsFn | None:
    try:
        from newswatch.analysis.regions._capitals import hits
    except ImportError:
        return None
    return hits


def _capitals(firsts: set[str]) -> list[str]:
    """Every capital letter that folds to a name's first letter."""
    return [c for c in map(chr, range(0x110000)) if c.isupper() and fold(c)[:1] in firsts]
