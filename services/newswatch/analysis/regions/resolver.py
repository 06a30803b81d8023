"""RegionResolver: ISO 3166 regions and event locations from an article's place names."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

from newswatch.analysis.regions import context as ctx
from newswatch.analysis.regions.aliases import load_aliases
from newswatch.analysis.regions.article import resolve_article
from newswatch.analysis.regions.gazetteer import Packed, build_gazetteer
from newswatch.analysis.regions.matcher import Mention, NameMatcher
from newswatch.analysis.regions.outputs import region_mention
from newswatch.analysis.regions.places import COUNTRY
from newswatch.analysis.regions.readings import Context, demonym_readings, is_person, read_mentions
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
            rules.place_event_nouns,
        )
        return cls(matcher, gazetteer.lookup, context)

    def resolve(self, text: str) -> RegionResult:
        """Regions named in `text` and the spots that locate its events. Never raises."""
        mentions = self.matcher.scan(text)
        result = resolve_article(text, mentions, self.context, self.small_towns)  # the usual article
        if result is None:
            result = self._resolve(text, mentions)
        return with_subjects(text, mentions, result, self.context)

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


# The score of a country an article names only as an actor: listed, after every place.
SUBJECT_SCORE = 0.1


def with_subjects(text: str, mentions: list[Mention], result: RegionResult, c: Context) -> RegionResult:
    """`result` with the countries the article names as its subject or speaker among its regions,
    when it names no place at all.

    "Russia says it downed 40 drones" is about Russia although it names no place: the
    country name, or a capital that speaks ("Kyiv said"), joins the regions. An article that
    names places keeps them alone ("Moscow said ..., while shelling hit Kherson" is about
    Kherson). Event locations (the spots) are left alone: the place where an event happened
    is not the actor's country.
    """
    if result.regions:
        return result
    codes: set[str] = set()
    added: dict[str, list[str]] = {}
    for m in mentions:
        cc = m.anchor
        if cc is None or cc in codes:
            continue
        named = any(p.kind is COUNTRY and p.country == cc for p in m.places)
        if not named and ctx.next_word(text, m.end) not in c.actor_verbs:
            continue
        if is_person(text, m, c) or ctx.is_comparison(text, m.start, c.comparisons):
            continue
        surfaces = added.setdefault(cc, [])
        if m.surface not in surfaces:
            surfaces.append(m.surface)
    if not added:
        return result
    extra = tuple(region_mention(cc, c.names.get(cc, cc), SUBJECT_SCORE, tuple(s)) for cc, s in added.items())
    return result._replace(regions=result.regions + extra)


def _display_names() -> dict[str, str]:
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update({s.code: s.name for s in pycountry.subdivisions})
    return names
