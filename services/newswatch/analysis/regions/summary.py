"""From readings to the result: article regions, located spots, the best place (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from newswatch.analysis.regions import context as ctx
from newswatch.analysis.regions.places import DEMONYM, TOWN, Kind
from newswatch.analysis.regions.readings import Context, Reading
from newswatch.analysis.regions.result import Level, RegionResult, Spot
from newswatch.domain.model import Location, RegionMention

_LEVEL = {
    Kind.COUNTRY: Level.COUNTRY,
    Kind.FEATURE: Level.FEATURE,
    Kind.SUBDIVISION: Level.SUBDIVISION,
    Kind.SHORT: Level.SUBDIVISION,
    Kind.TOWN: Level.TOWN,
}


def build_result(text: str, readings: Sequence[Reading], c: Context) -> RegionResult:
    located = [r for r in readings if r.located]
    if not located:
        located = _fallback(text, readings, c)
    # Mentions of one place share one Location (frozen, so safe to share).
    where: dict[tuple[int, str | None], Location] = {}
    spots = tuple(_spot(r, where) for r in located)
    return RegionResult(_regions(located, c), spots, _best(spots))


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
        return 0.5
    return 1.0


def _first(readings: Sequence[Reading], cc: str) -> int:
    return next(r.mention.start for r in readings if r.place.country == cc)


def _spot(r: Reading, where: dict[tuple[int, str | None], Location]) -> Spot:
    p, m = r.place, r.mention
    if r.village is not None and r.village_start is not None:
        return Spot(r.village_start, m.end, Level.TOWN, Location(p.country, p.subdivision, r.village))
    name = m.surface if p.kind is TOWN else None
    location = where.get((id(p), name))
    if location is None:
        location = where[id(p), name] = Location(p.country, p.subdivision, name)
    return Spot(m.start, m.end, _LEVEL.get(p.kind, Level.COUNTRY), location)


def _regions(readings: Sequence[Reading], c: Context) -> tuple[RegionMention, ...]:
    counts: dict[str, int] = {}
    surfaces: dict[str, list[str]] = {}
    for r in readings:
        p, surface = r.place, r.mention.surface
        for code in (p.country, p.subdivision) if p.subdivision else (p.country,):
            if code not in counts:
                counts[code], surfaces[code] = 1, [surface]
                continue
            counts[code] += 1
            if surface not in surfaces[code]:
                surfaces[code].append(surface)
    top = max(counts.values(), default=1)
    return tuple(
        RegionMention(code, c.names.get(code, code), counts[code] / top, tuple(surfaces[code]))
        for code in sorted(surfaces, key=lambda code: -counts[code])
    )


def _best(spots: Sequence[Spot]) -> Location:
    """The article's main place: its most named subdivision, else its most named country."""
    if not spots:
        return Location()
    subs = _tally(s.location.subdivision for s in spots if s.location.subdivision)
    if subs:
        top = max(subs, key=subs.__getitem__)  # the first named among the most named
        return max((s for s in spots if s.location.subdivision == top), key=lambda s: s.level).location
    countries = _tally(s.location.country for s in spots)
    return Location(max(countries, key=countries.__getitem__))


def _tally(codes: Iterable[str | None]) -> dict[str | None, int]:
    # A plain dict: a Counter costs several microseconds more per article.
    counts: dict[str | None, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    return counts
