"""The usual article in two passes over its mentions, straight to the result (pure).

`resolve_article` gives what the general path gives (`readings.read_mentions`,
`readings.demonym_readings`, small towns, `summary.build_result`) but builds
no readings: the second pass turns each located mention into its spot at
once. When an article needs more (a "Village, Oblast", small towns, or no
located mention at all) it returns None and the caller takes the general path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newswatch.analysis.regions import context as ctx
from newswatch.analysis.regions.choose import Anchors, choose, choose_scored
from newswatch.analysis.regions.gazetteer import Packed
from newswatch.analysis.regions.matcher import Mention
from newswatch.analysis.regions.places import COUNTRY, DEMONYM, TOWN, Place
from newswatch.analysis.regions.readings import (
    Context,
    drop_rivers,
    is_person,
    possessive_actor,
    village_of,
)
from newswatch.analysis.regions.result import RegionResult, Spot
from newswatch.analysis.regions.summary import Group, best_of_groups, group, region_mentions, tally
from newswatch.analysis.regions.villages import MAX_TEXT, small_towns

_new_tuple = tuple.__new__  # a NamedTuple's own __new__ is a Python call
_UNSET: Any = object()  # not chosen yet (None is a choice: no reading)


def resolve_article(text: str, mentions: Sequence[Mention], c: Context, towns: Packed) -> RegionResult | None:
    """The result for `text`, or None when the general path must decide. `towns`: the small towns."""
    # Pass 1: drop yardsticks ("the size of Wales"), count anchors, and give
    # up on a "Village, Oblast" (the general path reads the village in its oblast).
    kept: list[Mention] = []
    counts: dict[str, int] = {}  # a plain dict: a Counter costs more per article
    for m in mentions:
        start = m.start
        if ctx.is_comparison(text, start, c.comparisons):
            continue
        kept.append(m)
        if m.anchor:
            counts[m.anchor] = counts.get(m.anchor, 0) + 1
        # village_before's cheap test, inline: a comma close before the name, or only spaces.
        near = text[start - 8 if start > 8 else 0 : start]
        if ("," in near or not near.strip(" ")) and village_of(text, kept, len(kept) - 1) is not None:
            return None
    top = max(counts.values(), default=0)
    known = _new_tuple(Anchors, (frozenset(counts), frozenset([cc for cc, n in counts.items() if n == top])))

    # Pass 2: the reading of each mention (as readings._choices and
    # readings.located give it) and, if located, its spot; then its demonym's.
    memo: dict[int, Place | None] = {}  # the reading of a name read as itself, per name
    main = known.main
    actor_verbs, place_nouns = c.actor_verbs, c.place_nouns
    placed = False  # some located reading names a subdivision
    spots: list[Spot] = []
    by_surface: dict[str, Group] = {}
    others: dict[tuple[int, str], Group] = {}
    groups: list[Group] = []
    for m in kept:
        # One unpacking instead of an attribute lookup per field (this runs per mention).
        start, end, surface, named, _, has_towns, demonym, person, _, scored = m
        after = text[end : end + 1]  # the regexes on the next word need a space or an apostrophe
        places = named
        if has_towns:  # river and person checks only change the readings of town names
            if start >= 4 and text[start - 4 : start] == "the ":
                places = drop_rivers(text, m)
            if person and is_person(text, m, c):
                places = ()
            # person_like's own first test, inline: a capitalised word follows.
            elif after == " " and ctx.NEXT_CAP(text, end) is not None and ctx.person_like(text, start, end):
                places = tuple(p for p in places if p.kind is not TOWN or p.curated)
        elif person and is_person(text, m, c):
            places = ()
        if places is named:
            place = memo.get(id(named), _UNSET)
            if place is _UNSET:
                place = memo[id(named)] = choose_scored(scored, known)
        else:
            place = choose(places, known)
        if place is None and demonym is None:
            continue
        # readings.located, inline, its next word shared by both readings.
        if after == " " or after == "'" or after == "’" or after.isspace():
            nxt = ctx.NEXT_WORD(text, end)
            word = nxt[1].lower() if nxt else ""
        else:
            word = ""
        if place is not None:  # never a demonym: `choose` skips them
            if word in actor_verbs or ((after == "'" or after == "’") and possessive_actor(text, end, c)):
                pass  # an actor: "Moscow said", "Kyiv's forces"
            elif (place.kind is not COUNTRY and (not main or place.country in main)) or (
                word in place_nouns or ctx.is_locative(text, start)
            ):
                if place.subdivision:
                    placed = True
                g = by_surface.get(surface)
                if g is None or g[0] is not place:
                    g = group(surface, place, by_surface, others, groups)
                g[2] += 1
                spots.append(_new_tuple(Spot, (start, end, g[3], g[4])))
        if demonym is not None and word in place_nouns:  # "Ukrainian city"
            g = by_surface.get(surface)
            if g is None or g[0] is not demonym:
                g = group(surface, demonym, by_surface, others, groups)
            g[2] += 1
            spots.append(_new_tuple(Spot, (start, end, g[3], g[4])))
    if not spots:
        return None  # no place located: the general path's fallback decides
    if not placed and len(text) <= MAX_TEXT:  # no subdivision: small towns may add some
        countries = frozenset([g[0].country for g in groups if g[0].kind is not DEMONYM])
        if small_towns(text, towns, mentions, countries):
            return None
    counts, surfaces = tally(groups)
    found = region_mentions(counts, surfaces, c)
    return _new_tuple(RegionResult, (found, tuple(spots), best_of_groups(groups, counts)))
