"""Facts about a name on its own, computed once per name at start-up: the
country it surely means, and which of its readings can ever be chosen."""

from __future__ import annotations

from collections.abc import Sequence

from newswatch.analysis.regions.places import TOWN, Kind, Place

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


def options(places: tuple[Place, ...]) -> tuple[Place, ...]:
    """`places` without the towns `choose.choose` can never pick.

    A town loses to a namesake in the same country with the same flags and more
    people (or as many, listed first): whatever the context, that namesake
    passes every test the town passes and scores higher. "Paris" keeps one
    town per country instead of a dozen in the US.
    """
    best: dict[tuple[str, bool, bool], Place] = {}
    for p in places:
        if p.kind is TOWN:
            group = (p.country, p.common, p.curated)
            if group not in best or p.population > best[group].population:
                best[group] = p
    kept = tuple(p for p in places if p.kind is not TOWN or best[p.country, p.common, p.curated] is p)
    return places if len(kept) == len(places) else kept
