"""The resolver's answer: article regions plus per-span event locations."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from newswatch.domain.model import Location, RegionMention


class Level(IntEnum):
    """How specific a located mention is; higher wins in `locate`."""

    COUNTRY = 1
    FEATURE = 2
    SUBDIVISION = 3
    TOWN = 4


class Spot(NamedTuple):
    """A place the text names, where it names it."""

    start: int
    end: int
    level: Level
    location: Location


class RegionResult(NamedTuple):
    """Regions an article names, and where its events happen.

    `regions`: ISO 3166-1/3166-2 codes, countries with every subdivision's
    country included, best first. `spots`: located mentions in text order.
    A NamedTuple: one is built per article, a frozen dataclass costs more.
    """

    regions: tuple[RegionMention, ...]
    spots: tuple[Spot, ...] = ()
    best: Location = Location()

    def locate(self, start: int, end: int) -> Location:
        """The most specific place named within [start, end), else the article's best place."""
        inside = [s for s in self.spots if s.start >= start and s.end <= end]
        if not inside:
            return self.best
        top = max(s.level for s in inside)
        return next(s.location for s in inside if s.level == top)
