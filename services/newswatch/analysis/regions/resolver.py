"""RegionResolver: ISO 3166 regions and event locations from an article's place names."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

from newswatch.analysis.regions.aliases import load_aliases
from newswatch.analysis.regions.article import resolve_article
from newswatch.analysis.regions.gazetteer import Packed, build_gazetteer
from newswatch.analysis.regions.matcher import Mention, NameMatcher
from newswatch.analysis.regions.readings import Context, demonym_readings, read_mentions
from newswatch.analysis.regions.result import RegionResult
from newswatch.analysis.regions.summary import build_result
from newswatch.analysis.regions.villages import small_towns


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
        result = resolve_article(text, mentions, self.context, self.small_towns)  # the usual article
        return result if result is not None else self._resolve(text, mentions)

    def _resolve(self, text: str, mentions: list[Mention]) -> RegionResult:
        """The general path: readings, then small towns and demonyms, then the result."""
        readings = read_mentions(text, mentions, self.context)  # in text order
        later = []
        if not any(r.located and r.place.subdivision for r in readings):
            countries = frozenset(r.place.country for r in readings if r.located)
            extra = small_towns(text, self.small_towns, mentions, countries)
            later = read_mentions(text, extra, self.context, countries)
        later += demonym_readings(text, mentions, self.context)
        if later:
            readings += later
            readings.sort(key=lambda r: r.mention.start)
        return build_result(text, readings, self.context)


def _display_names() -> dict[str, str]:
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update({s.code: s.name for s in pycountry.subdivisions})
    return names
