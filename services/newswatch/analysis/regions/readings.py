"""From scanned mentions to readings: which place each mention names, if any (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from newswatch.analysis.regions import context as ctx
from newswatch.analysis.regions.choose import Anchors, anchors, choose
from newswatch.analysis.regions.matcher import Mention
from newswatch.analysis.regions.places import COUNTRY, DEMONYM, FEATURE, SHORT, SUBDIVISION, TOWN, Place


@dataclass(frozen=True, slots=True)
class Context:
    """Start-up tables the pure resolution needs."""

    names: Mapping[str, str]  # ISO code -> display name
    place_nouns: frozenset[str]
    actor_nouns: frozenset[str]
    actor_verbs: frozenset[str]
    person_names: frozenset[str]
    comparisons: Sequence[re.Pattern[str]]
    place_event_nouns: frozenset[str] = frozenset()


# Readings are built with tuple.__new__: a NamedTuple's own __new__ is a Python call.
_new_tuple = tuple.__new__
_UNSET: Any = object()  # not chosen yet (None is a choice: no reading)


class Reading(NamedTuple):
    mention: Mention
    place: Place
    located: bool  # names where something is (True) or only who acts (False)
    village: str | None = None
    village_start: int | None = None


def read_mentions(
    text: str, mentions: Sequence[Mention], c: Context, countries: frozenset[str] = frozenset()
) -> list[Reading]:
    """One reading per mention that names a place; `countries` adds known context."""
    kept = _unhidden(text, mentions, c)
    known = anchors(kept, countries)
    villages = _villages(text, kept)
    chosen = _choices(text, kept, villages, known, c)
    out: list[Reading] = []
    if villages is None:  # the usual case: no "Village, Oblast" in the text
        main = known.main
        for m, place in zip(kept, chosen, strict=True):
            if place is not None:
                out.append(_new_tuple(Reading, (m, place, located(text, m, place, c, main), None, None)))
        return out
    for i, m in enumerate(kept):  # then a village's reading may need its oblast's
        place = _within_admin(kept, chosen, villages, i, known)
        if place is not None:
            out.append(_reading(text, m, place, villages[i], c, known.main))
    return out


def _unhidden(text: str, mentions: Sequence[Mention], c: Context) -> list[Mention]:
    """The mentions `_hidden` keeps: those not inside a comparison ("the size of Wales")."""
    return [m for m in mentions if not ctx.is_comparison(text, m.start, c.comparisons)]


def _villages(text: str, kept: Sequence[Mention]) -> list[tuple[str, int] | None] | None:
    """`village_of` for each mention; None when no mention has one (most texts)."""
    out: list[tuple[str, int] | None] | None = None
    for i, m in enumerate(kept):
        # Cheap pre-test of village_before's own first test (a comma before the
        # name, past any spaces): no comma close before, and not only spaces.
        near = text[m.start - 8 if m.start > 8 else 0 : m.start]
        if "," not in near and near.strip(" "):
            continue
        village = village_of(text, kept, i)
        if village is not None:
            if out is None:
                out = [None] * len(kept)
            out[i] = village
    return out


def _choices(
    text: str, kept: Sequence[Mention], villages: Sequence | None, known: Anchors, c: Context
) -> list[Place | None]:
    # A name read as itself (no river, no person) gets the same reading each
    # time in one article: choose once per name. Keyed by the identity of its
    # places tuple, which the matcher shares between mentions of one name.
    # Keyed by id(places) alone, or with True for a place in an admin slot.
    memo: dict[object, Place | None] = {}
    chosen: list[Place | None] = []
    for i, m in enumerate(kept):
        places = m.places
        if m.towns:  # river and person checks only change the readings of town names
            start = m.start
            if start >= 4 and text[start - 4 : start] == "the ":
                places = drop_rivers(text, m)
            if m.person and is_person(text, m, c):
                places = ()
            # person_like's own first test, inline: a capitalised word follows.
            elif ctx.NEXT_CAP(text, m.end) is not None and ctx.person_like(text, start, m.end):
                places = tuple(p for p in places if p.kind is not TOWN or p.curated)
        elif m.person and is_person(text, m, c):
            places = ()
        admin_slot = villages is not None and villages[i] is not None
        if places is not m.places:
            chosen.append(choose(places, known, admin_slot))
            continue
        key = (id(places), True) if admin_slot else id(places)
        place = memo.get(key, _UNSET)
        if place is _UNSET:  # m.options: the places that can be chosen, fewer than m.places
            place = memo[key] = choose(m.options, known, admin_slot)
        chosen.append(place)
    return chosen


def is_person(text: str, m: Mention, c: Context) -> bool:
    """ "Chad Johnson", "Rashad Jordan": a listed first name or surname next to another name."""
    if m.surface.lower() not in c.person_names:
        return False
    return ctx.person_like(text, m.start, m.end) or ctx.after_name(text, m.start)


def village_of(text: str, kept: Sequence[Mention], i: int) -> tuple[str, int] | None:
    """("Village", start) when mention i is the oblast in "Village, Oblast"."""
    village = ctx.village_before(text, kept[i].start)
    if village is None or ctx.list_goes_on(text, kept[i].end):
        return None
    prev = kept[i - 1] if i else None
    if prev is not None and prev.start == village[1] and _is_city(prev):
        return None  # "Lviv, Kyiv": two cities
    return village


def _is_city(m: Mention) -> bool:
    return any(p.kind is TOWN and p.population >= 500_000 for p in m.places)


def _within_admin(
    kept: Sequence[Mention], chosen: Sequence[Place | None], villages: Sequence, i: int, known: Anchors
) -> Place | None:
    # A known village name followed by its oblast must be read inside that oblast.
    nxt = i + 1
    if nxt >= len(kept) or villages[nxt] is None or villages[nxt][1] != kept[i].start:
        return chosen[i]
    admin = chosen[nxt]
    if admin is None or (admin.kind is not SHORT and admin.kind is not SUBDIVISION):
        return chosen[i]
    inside = [p for p in kept[i].places if p.subdivision == admin.subdivision]
    return choose(inside, known) if inside else None


def _hidden(text: str, m: Mention, c: Context) -> bool:
    """Yardsticks ("the size of Wales"); outlets ("Daily Mail") never leave the matcher."""
    return ctx.is_comparison(text, m.start, c.comparisons)


def drop_rivers(text: str, m: Mention) -> tuple[Place, ...]:
    # "the Dnipro" / "the Don" are rivers: after "the", a town name stands for
    # its river, which places the story in the country but in no subdivision.
    start = m.start
    if text[start - 4 if start > 4 else 0 : start] != "the " or not ctx.river_like(text, start, m.end):
        return m.places
    others = tuple(p for p in m.places if p.kind is not TOWN)
    towns = [p for p in m.places if p.kind is TOWN and not p.common]
    if not towns:
        return others
    biggest = max(towns, key=lambda p: p.population)
    return (*others, Place(FEATURE, biggest.country, curated=biggest.curated))


def _reading(
    text: str, m: Mention, place: Place, village: tuple[str, int] | None, c: Context, main: frozenset[str]
) -> Reading:
    if village and (place.kind is SHORT or place.kind is SUBDIVISION):
        return Reading(m, place, True, village[0], village[1])
    return Reading(m, place, located(text, m, place, c, main))


def located(text: str, m: Mention, place: Place, c: Context, main: frozenset[str]) -> bool:
    """Whether the mention says where something is, not who acts ("Moscow's attacks", "Kyiv said")."""
    end = m.end
    after = text[end : end + 1]
    # ctx.next_word, inline (this runs per mention), and only when the next
    # character lets its regex match: a space or an apostrophe ("Kyiv's").
    if after == " " or after == "'" or after == "’" or after.isspace():
        nxt = ctx.NEXT_WORD(text, end)
        word = nxt[1].lower() if nxt else ""
    else:
        word = ""
    if place.kind is DEMONYM:  # "against the Russian invasion" is no place
        return word in c.place_nouns
    if word in c.actor_verbs:
        return False
    if (after == "'" or after == "’") and possessive_actor(text, end, c):
        return False
    if place.kind is not COUNTRY and (not main or place.country in main):
        return True
    # A country, or a place abroad from the article's main countries (often a
    # government or an origin), counts as a location only with a cue.
    if word in c.place_event_nouns and after != "'" and after != "’":
        return True  # "the Lebanon invasion": a bare name before a noun of war is where it happens
    return word in c.place_nouns or ctx.is_locative(text, m.start)


def possessive_actor(text: str, end: int, c: Context) -> bool:
    """ "Kyiv's forces": a possessive, then an actor noun."""
    return text.startswith(("'s", "’s"), end) and any(
        w.strip(",.;:") in c.actor_nouns for w in ctx.next_words(text, end)
    )


def demonym_readings(text: str, mentions: Sequence[Mention], c: Context) -> list[Reading]:
    """Demonyms as readings: located before a place noun ("Ukrainian city"), else actors."""
    out = []
    for m in mentions:
        if m.demonym is not None and not _hidden(text, m, c):
            out.append(_reading(text, m, m.demonym, None, c, frozenset()))
    return out
