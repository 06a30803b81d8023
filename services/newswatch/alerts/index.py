"""Inverted index over subscriptions, so matching cost follows the article, not the subscriber count.

Each subscription is filed under every (event type, region) pair its filter
allows, `*` standing for an unconstrained dimension. An article looks up the
pairs of its own event types and regions (with their countries, so `UA` finds
`UA-63` articles), each also as `*`: (E+1)(R+1) dictionary lookups. A hit
already proves type and region; only that type's confidence, the topic scores
and keywords are left to compare (see Bucket). Subscriptions constrained only by keywords
are filed under the first word of each keyword instead.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product
from typing import NamedTuple

from newswatch.alerts.filters import has_keyword, matches, matches_article, watches_articles
from newswatch.alerts.ports import Filters, Subscription
from newswatch.alerts.view import ArticleView, normalise

ANY = "*"
MAX_KEYS_PER_SUB = 256  # past this, the widest dimension is left to the full filter check

Key = tuple[str, str]


class Entry(NamedTuple):
    sub: Subscription
    min_confidence: float
    min_topic_score: float  # of the topic it is filed under in Bucket.by_topic (0 elsewhere)
    keywords: tuple[str, ...]  # any must occur
    full_check: bool  # a dimension was dropped from the keys: run the whole filter


def sub_keys(f: Filters) -> list[Key]:
    """The (event type, region) keys a filter is filed under."""
    types, regions = list(f.event_types) or [ANY], list(f.regions) or [ANY]
    if len(types) * len(regions) > MAX_KEYS_PER_SUB:
        types, regions = (types, [ANY]) if len(regions) >= len(types) else ([ANY], regions)
    return list(product(types, regions))


@dataclass(slots=True)
class Bucket:
    """The subscriptions under one key.

    Plain ones (only a confidence threshold) are sorted by it, so the matches are a slice; those
    with topics wait under each of their topics; the rest are checked one by one.
    """

    confs: list[float] = field(default_factory=list)  # ascending
    plain: list[tuple[str, Subscription]] = field(default_factory=list)  # parallel to confs
    by_topic: dict[str, list[Entry]] = field(default_factory=dict)
    checked: list[Entry] = field(default_factory=list)


class SubscriptionIndex:
    """Immutable once built; rebuild (about 1 s per 100,000 subscriptions) when they change."""

    def __init__(self, subs: Iterable[Subscription]) -> None:
        entries: dict[Key, list[Entry]] = defaultdict(list)
        by_word: dict[str, list[Subscription]] = defaultdict(list)
        self.size = 0
        subs_seen = []
        for s in subs:
            self.size += 1
            subs_seen.append(s)
            self._add(s, entries, by_word)
        self._by_key = {key: _bucket(es) for key, es in entries.items()}
        self._by_word = dict(by_word)
        # For articles without events: those with regions filed under each region (a region
        # subscription is common, and most articles name a place), the others checked one by one.
        watchers = [s for s in subs_seen if watches_articles(s.filters)]
        self._article_watchers = [s for s in watchers if not s.filters.regions]
        self._article_by_region: dict[str, list[Subscription]] = defaultdict(list)
        for s in watchers:
            for r in dict.fromkeys(s.filters.regions):
                self._article_by_region[r].append(s)
        self._article_by_region = dict(self._article_by_region)

    @staticmethod
    def _add(
        s: Subscription, entries: dict[Key, list[Entry]], by_word: dict[str, list[Subscription]]
    ) -> None:
        f = s.filters
        keys = sub_keys(f)
        if keys == [(ANY, ANY)] and not f.topics and f.keywords:
            for word in {normalise(k).split()[0] for k in f.keywords if normalise(k)}:
                by_word[word].append(s)
            return
        dropped = len(keys) != len(f.event_types or [1]) * len(f.regions or [1])
        for key in keys:
            entries[key].append(Entry(s, f.min_confidence, 0.0, f.keywords, dropped))

    def match_article(self, v: ArticleView) -> list[Subscription]:
        """For an article that reports no event: the region, topic and keyword subscriptions
        without event types that it matches, no duplicates."""
        found = {s.id: s for s in self._article_watchers if matches_article(s.filters, v)}
        for r in v.regions:
            for s in self._article_by_region.get(r, ()):
                if s.id not in found and matches_article(s.filters, v):
                    found[s.id] = s
        return list(found.values())

    @property
    def watches_articles(self) -> bool:
        return bool(self._article_watchers or self._article_by_region)

    def match(self, v: ArticleView) -> list[Subscription]:
        """Subscriptions whose filters match the article (min_publishers not checked), no duplicates."""
        if not v.events:
            return []
        found: dict[str, Subscription] = {}
        get = self._by_key.get
        regions = (*v.regions, ANY)
        for e, conf in (*v.events.items(), (ANY, max(v.events.values()))):
            for r in regions:
                b = get((e, r))
                if b is None:
                    continue
                # The key proved type and region: plain subscriptions only need this type's confidence,
                # a C-speed slice of the sorted list; the others also their topics and keywords.
                found.update(b.plain[: bisect_right(b.confs, conf)])
                for entry in b.checked:
                    if conf >= entry.min_confidence and _extra_checks(entry, v):
                        found[entry.sub.id] = entry.sub
                if b.by_topic:
                    _topic_matches(b.by_topic, conf, v, found)
        if self._by_word:
            for w in v.words:
                for s in self._by_word.get(w, ()):
                    if matches(s.filters, v):
                        found[s.id] = s
        return list(found.values())


def _topic_matches(by_topic: dict[str, list[Entry]], conf: float, v: ArticleView, found: dict) -> None:
    for t, score in v.topics.items():
        for e in by_topic.get(t, ()):
            if conf >= e.min_confidence and score >= e.min_topic_score and _extra_checks(e, v):
                found[e.sub.id] = e.sub


def _extra_checks(e: Entry, v: ArticleView) -> bool:
    if e.full_check:
        return matches(e.sub.filters, v)
    return not e.keywords or any(has_keyword(k, v) for k in e.keywords)


def _bucket(entries: list[Entry]) -> Bucket:
    b = Bucket()
    for e in sorted(entries, key=lambda e: e.min_confidence):
        f = e.sub.filters
        if f.topics:
            for t in f.topics:
                b.by_topic.setdefault(t.id, []).append(e._replace(min_topic_score=t.min_score))
        elif e.full_check or e.keywords:
            b.checked.append(e)
        else:
            b.confs.append(e.min_confidence)
            b.plain.append((e.sub.id, e.sub))
    return b
