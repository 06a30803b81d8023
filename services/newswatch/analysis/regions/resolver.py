"""RegionResolver: ISO 3166 regions and event locations from an article's place names."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

from newswatch.analysis.regions.aliases import load_aliases
from newswatch.analysis.regions.gazetteer import Packed, build_gazetteer
from newswatch.analysis.regions.matcher import NameMatcher
from newswatch.analysis.regions.places import DEMONYM
from newswatch.analysis.regions.readings import Context, Reading, read_article, read_mentions
from newswatch.analysis.regions.result import RegionResult
from newswatch.analysis.regions.summary import build_result
from newswatch.analysis.regions.villages import MAX_TEXT, small_towns


@dataclass(frozen=True)
class RegionResolver:
    """Holds the compiled gazetteer; `resolve` is pure and safe to share between threads."""

    matcher: NameMatcher
    small_towns: Packed
    context: Context

    @classmethod
    def load(cls) -> RegionResolver:
        """Build every table (a few seconds, once per process). Raises on invalid alias rules."""
        rules = load_aliases()
        gazetteer = build_gazetteer(rules)
        # The matcher keeps what it needs; the scanned table itself is dropped.
        matcher = NameMatcher(gazetteer.scanned, rules.person_names)
        context = Context(
            _display_names(),
            rules.place_nouns,
            rules.actor_nouns,
            rules.actor_verbs,
            rules.person_names,
            rules.comparisons,
        )
        return cls(matcher, gazetteer.lookup, context)

    def resolve(self, text: str) -> RegionResult:
        """Regions named in `text` and the spots that locate its events. Never raises."""
        mentions = self.matcher.scan(text)
        # In text order, each mention's demonym reading after its place reading.
        readings, placed = read_article(text, mentions, self.context)
        if not placed and len(text) <= MAX_TEXT:  # no subdivision: look for small towns
            countries = _countries(readings)
            extra = small_towns(text, self.small_towns, mentions, countries)
            if extra:
                later = read_mentions(text, extra, self.context, countries)
                if later:
                    readings += later
                    readings.sort(key=_start)
        return build_result(text, readings, self.context)


def _display_names() -> dict[str, str]:
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update({s.code: s.name for s in pycountry.subdivisions})
    return names


def _countries(readings: list[Reading]) -> frozenset[str]:
    # Demonym readings are no places: their countries do not count.
    return frozenset([r.place.country for r in readings if r.located and r.place.kind is not DEMONYM])


def _start(r: Reading) -> int:
    return r.mention.start
