"""Pick one reading per mention, using the rest of the article as context."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from newswatch.analysis.regions.anchor import ANCHOR_POPULATION
from newswatch.analysis.regions.places import COUNTRY, DEMONYM, IGNORE, SUBDIVISION, TOWN, Kind, Place

if TYPE_CHECKING:  # the matcher imports `scoring` from here
    from newswatch.analysis.regions.matcher import Mention

# Big enough to place a story abroad when the article is clearly about
# another country ("Kirov", "Azov", "Novi" in a note about Ukraine are not).
FOREIGN_POPULATION = 1_000_000
_KIND_PRIOR = {Kind.COUNTRY: 6.0, Kind.SUBDIVISION: 5.0, Kind.FEATURE: 5.0, Kind.SHORT: 2.0}
_ADMIN_PRIOR = {Kind.SHORT: 9.0, Kind.SUBDIVISION: 8.0, Kind.COUNTRY: 7.0}
_CONTEXT_BONUS = 3.0


def _weak(p: Place) -> bool:
    if p.kind is SUBDIVISION:
        return p.common
    return p.kind is TOWN and (p.common or p.population < ANCHOR_POPULATION)


class Anchors(NamedTuple):
    """Countries the article names unambiguously, and the ones it names most.

    A NamedTuple: one is built per article, a frozen dataclass costs more.
    """

    all: frozenset[str]
    main: frozenset[str]


def anchors(mentions: Iterable[Mention], given: frozenset[str] = frozenset()) -> Anchors:
    counts: dict[str, int] = {}  # a plain dict: a Counter costs more per article
    for m in mentions:
        if m.anchor:
            counts[m.anchor] = counts.get(m.anchor, 0) + 1
    for cc in given:
        counts[cc] = counts.get(cc, 0) + 1
    top = max(counts.values(), default=0)
    return Anchors(frozenset(counts), frozenset(c for c, n in counts.items() if n == top))


def choose(places: Sequence[Place], known: Anchors, admin_slot: bool = False) -> Place | None:
    """Best reading: kind first, then context, then population. None if nothing fits.

    A common-word town ("Reading") or a small one needs its country in context;
    when the article has countries, a reading elsewhere must be trusted.
    """
    best, best_score = None, -math.inf
    every, main = known.all, known.main
    for p in places:
        if p.kind is IGNORE or p.kind is DEMONYM:
            continue
        named = p.country in every
        if (not named and _weak(p)) or (main and p.country not in main and not _trusted_abroad(p)):
            continue
        score = _score(p, named, admin_slot)
        if score > best_score:
            best, best_score = p, score
    return best


# What `choose` (outside an admin slot) works out of a reading on its own:
# (reading, score without context, `_weak`, `_trusted_abroad`).
Scored = tuple[tuple[Place, float, bool, bool], ...]


class ScoreMemo:
    """Facts already worked out while describing many names at load: one fact
    tuple per reading and one table per set of readings, shared between names
    (the spellings of a town share its readings), so the tables cost little memory."""

    def __init__(self) -> None:
        self.facts: dict[Place, tuple[Place, float, bool, bool]] = {}
        self.tables: dict[tuple[Place, ...], Scored] = {}


def scoring(places: tuple[Place, ...], memo: ScoreMemo | None = None) -> Scored:
    """The readings `choose` may pick, each with its context-free facts (once per name, at load)."""
    if memo is None:
        memo = ScoreMemo()
    table = memo.tables.get(places)
    if table is not None:
        return table
    out = []
    for p in places:
        if p.kind is IGNORE or p.kind is DEMONYM:
            continue
        facts = memo.facts.get(p)
        if facts is None:
            facts = memo.facts[p] = (p, _score(p, False, False), _weak(p), _trusted_abroad(p))
        out.append(facts)
    table = memo.tables[places] = tuple(out)
    return table


def choose_scored(scored: Scored, known: Anchors) -> Place | None:
    """`choose(places, known)` from `scoring(places)`: the same reading, less work per mention."""
    best, best_score = None, -math.inf
    every, main = known.all, known.main
    for p, base, weak, trusted in scored:
        named = p.country in every
        if (not named and weak) or (main and not trusted and p.country not in main):
            continue
        score = base + _CONTEXT_BONUS if named else base
        if score > best_score:
            best, best_score = p, score
    return best


def _trusted_abroad(p: Place) -> bool:
    """A reading outside the article's countries needs a curated name or a big town."""
    return p.curated or p.kind is COUNTRY or (p.kind is TOWN and p.population >= FOREIGN_POPULATION)


def _score(p: Place, named: bool, admin_slot: bool) -> float:
    if admin_slot and p.kind in _ADMIN_PRIOR:
        base = _ADMIN_PRIOR[p.kind]
    elif p.kind is TOWN:
        base = math.log10(p.population + 1) / 2  # 1M people -> 3.0
    else:
        base = _KIND_PRIOR.get(p.kind, 0.0)
    return base + _CONTEXT_BONUS if named else base
