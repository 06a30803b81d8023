"""From readings to the result: article regions, located spots, the best place (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from newswatch.analysis.regions import context as ctx
from newswatch.analysis.regions.outputs import NOWHERE, location, region_mention
from newswatch.analysis.regions.places import DEMONYM, TOWN, Kind, Place
from newswatch.analysis.regions.readings import Context, Reading
from newswatch.analysis.regions.result import Level, RegionResult, Spot
from newswatch.domain.model import Location, RegionMention

# Spots are built with tuple.__new__: a NamedTuple's own __new__ is a Python call.
_new_tuple = tuple.__new__
_LEVEL = {
    Kind.COUNTRY: Level.COUNTRY,
    Kind.FEATURE: Level.FEATURE,
    Kind.SUBDIVISION: Level.SUBDIVISION,
    Kind.SHORT: Level.SUBDIVISION,
    Kind.TOWN: Level.TOWN,
    Kind.DEMONYM: Level.COUNTRY,
    Kind.IGNORE: Level.COUNTRY,
}


def build_result(text: str, readings: Sequence[Reading], c: Context) -> RegionResult:
    located = [r for r in readings if r.located]
    if not located:
        located = _fallback(text, readings, c)
    spots, groups = _spots(located)
    counts, surfaces = tally(groups)
    return RegionResult(region_mentions(counts, surfaces, c), spots, best_place(spots, counts))


def _fallback(text: str, readings: Sequence[Reading], c: Context) -> list[Reading]:
    # Nothing names a place: the country the article names most, as other
    # than an actor, stands in ("Russian forces" weigh little).
    weights: dict[str, float] = defaultdict(float)
    strongest = 0.0
    for r in readings:
        w = _actor_weight(text, r, c)
        weights[r.place.country] += w
        strongest = max(strongest, w)
    if strongest < 0.5:
        return []  # only actors ("following Russian attacks"): no place at all
    top = max(weights, key=lambda cc: (weights[cc], -_first(readings, cc)))
    return [r for r in readings if r.place.country == top]


def _actor_weight(text: str, r: Reading, c: Context) -> float:
    word = ctx.next_word(text, r.mention.end)
    if word in c.actor_nouns or word in c.actor_verbs:
        return 0.25
    if r.place.kind is DEMONYM or ctx.possessive(text, r.mention.end):
        # "Russia hits Ukrainian energy facilities", "strikes on Ukraine's grid": after a verb or
        # a preposition the demonym or possessive marks what was hit, which is where; before
        # that, it is the side ("Ukrainian drones hit ...").
        start = r.mention.start
        return 0.8 if _after_word(text, start) and not _opens_sentence(text, start) else 0.5
    if _opens_sentence(text, r.mention.start):
        # The sentence's subject ("Israel withdrawing troops from Lebanon") is most often the
        # side that acts; a country named later, after a verb or a preposition, is where.
        return 0.6
    return 1.0


def _after_word(text: str, start: int) -> bool:
    """A lower-case word (a verb or a preposition) right before the name."""
    at = start
    while at > 0 and text[at - 1] == " ":
        at -= 1
    return at < start and at > 0 and text[at - 1].islower()


def _opens_sentence(text: str, start: int) -> bool:
    at = start
    while at > 0 and text[at - 1] in " \t\"'‘“":
        at -= 1
    return at == 0 or text[at - 1] in "\n.!?:"


def _first(readings: Sequence[Reading], cc: str) -> int:
    return next(r.mention.start for r in readings if r.place.country == cc)


# A group: the readings of one place by one surface, in order of first
# mention: [place, surface, count, level, Location].
Group = list


def _spots(located: Sequence[Reading]) -> tuple[tuple[Spot, ...], list[Group]]:
    """Spots in text order, and the readings grouped by place and surface (in order of first mention).

    Per reading only a dict lookup and a tuple: the level and the Location are
    worked out once per group. Mentions of one place share one Location (frozen,
    so safe to share).
    """
    by_surface: dict[str, Group] = {}  # a surface's first place: most surfaces have one
    others: dict[tuple[int, str], Group] = {}  # keyed by id: every place outlives this call
    groups: list[Group] = []
    spots = []
    for m, p, _, village, village_start in located:
        g = by_surface.get(m.surface)
        if g is None or g[0] is not p:
            g = group(m.surface, p, by_surface, others, groups)
        g[2] += 1
        if village is not None and village_start is not None:
            where = location(p.country, p.subdivision, village)
            spots.append(_new_tuple(Spot, (village_start, m.end, Level.TOWN, where)))
        else:
            spots.append(_new_tuple(Spot, (m.start, m.end, g[3], g[4])))
    return tuple(spots), groups


def group(
    surface: str, p: Place, by_surface: dict[str, Group], others: dict[tuple[int, str], Group], groups: list
) -> Group:
    """The group of `p` named by `surface`, new (and listed) on its first mention."""
    if surface in by_surface:
        g = others.get((id(p), surface))
        if g is not None:
            return g
    g = [
        p,
        surface,
        0,
        _LEVEL[p.kind],  # every kind: no enum member looked up per group
        location(p.country, p.subdivision, surface if p.kind is TOWN else None),
    ]
    if surface in by_surface:
        others[id(p), surface] = g
    else:
        by_surface[surface] = g
    groups.append(g)
    return g


def tally(groups: Iterable[Group]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Mentions per code (country, then subdivision, in order of first mention) and their surfaces.

    Groups come in order of first mention, so codes and surfaces keep the order
    a pass over every reading would give them.
    """
    counts: dict[str, int] = {}
    surfaces: dict[str, list[str]] = {}
    for p, surface, n, _, _ in groups:
        for code in (p.country, p.subdivision) if p.subdivision else (p.country,):
            if code not in counts:
                counts[code], surfaces[code] = n, [surface]
                continue
            counts[code] += n
            if surface not in surfaces[code]:
                surfaces[code].append(surface)
    return counts, surfaces


def region_mentions(
    counts: dict[str, int], surfaces: dict[str, list[str]], c: Context
) -> tuple[RegionMention, ...]:
    top = max(counts.values(), default=1)
    names = c.names
    return tuple(  # a list, not a generator: no generator frame resumed per region
        [
            region_mention(code, names.get(code, code), counts[code] / top, tuple(surfaces[code]))
            for code in sorted(counts, key=counts.__getitem__, reverse=True)  # stable: ties keep their order
        ]
    )


def best_of_groups(groups: Sequence[Group], counts: dict[str, int]) -> Location:
    """`best_place` when every spot is its group's (no village spots): the first
    group of a place is the first of its spots, so fewer items to look at."""
    subs = [code for code in counts if "-" in code]
    if subs:
        top = max(subs, key=counts.__getitem__)
        best = None
        for g in groups:
            if g[4].subdivision == top and (best is None or g[3] > best[3]):
                best = g
        if best is not None:
            return best[4]
    return location(max(counts, key=counts.__getitem__), None, None)


def best_place(spots: Sequence[Spot], counts: dict[str, int]) -> Location:
    """The article's main place: its most named subdivision, else its most named country.

    `counts` tallies the spots' codes; ties go to the first named.
    """
    if not spots:
        return NOWHERE
    subs = [code for code in counts if "-" in code]  # ISO 3166-2: country, dash, unit
    if subs:
        top = max(subs, key=counts.__getitem__)
        best = None  # its first most specific spot (a plain loop: cheaper than max with a key)
        for s in spots:
            if s.location.subdivision == top and (best is None or s.level > best.level):
                best = s
        if best is not None:  # always: `top` is some spot's subdivision
            return best.location
    return location(max(counts, key=counts.__getitem__), None, None)
