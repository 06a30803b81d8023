"""Which country a name surely means on its own: computed once per name at start-up."""

from __future__ import annotations

from collections.abc import Sequence

from newswatch.analysis.regions.places import Kind, Place

# Big enough that the name alone places a story in its country.
ANCHOR_POPULATION = 15_000


def anchor_of(places: Sequence[Place]) -> str | None:
    """The one country a mention surely means: its trusted readings agree.

    Curated names and country names outrank towns ("Donetsk" is the oblast and
    city in UA before it is a small town in RU); without them, the biggest town
    must be ten times bigger than any namesake abroad.
    """
    sure = {p.country for p in places if p.curated or p.kind == Kind.COUNTRY}
    if sure:
        # "Georgia" is a country and a US state: such a name anchors nothing.
        rivals = {p.country for p in places if p.kind not in (Kind.TOWN, Kind.DEMONYM)}
        return sure.pop() if len(sure | rivals) == 1 else None
    towns = sorted((p for p in places if p.kind == Kind.TOWN), key=lambda p: -p.population)
    if not towns or not anchoring(towns[0]):
        return None
    rival = next((p.population for p in towns if p.country != towns[0].country), 0)
    return towns[0].country if towns[0].population >= 10 * rival else None


def anchoring(p: Place) -> bool:
    return not p.common and p.population >= ANCHOR_POPULATION
