"""Shared output records: one frozen Location / RegionMention per distinct value.

Building a frozen slotted dataclass costs ~0.8 us (each field goes through
object.__setattr__), several times a dict lookup; articles of one news stream
name the same places over and over. The records are immutable, so sharing one
between articles is safe. The memos are bounded (cleared when full) and need
no lock: a lost or repeated insert only costs a rebuild.
"""

from __future__ import annotations

from newswatch.domain.model import Location, RegionMention

_MAX = 1 << 14  # entries per memo before it starts afresh
NOWHERE = Location()  # no place at all

_locations: dict[tuple[str, str | None, str | None], Location] = {}
_mentions: dict[tuple[str, str, float, tuple[str, ...]], RegionMention] = {}


def location(country: str, subdivision: str | None, place: str | None) -> Location:
    key = (country, subdivision, place)
    found = _locations.get(key)
    if found is None:
        if len(_locations) >= _MAX:
            _locations.clear()
        found = _locations[key] = Location(country, subdivision, place)
    return found


def region_mention(code: str, name: str, score: float, surfaces: tuple[str, ...]) -> RegionMention:
    key = (code, name, score, surfaces)
    found = _mentions.get(key)
    if found is None:
        if len(_mentions) >= _MAX:
            _mentions.clear()
        found = _mentions[key] = RegionMention(code, name, score, surfaces)
    return found
