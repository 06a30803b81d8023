"""Inverted index over subscriptions, so matching cost follows the article, not the subscriber count.

Each subscription is filed under every (event type, region, topic) combination
its filter allows, `*` standing for an unconstrained dimension. An article
looks up the combinations of its own event types, regions (with their
countries, so `UA` finds `UA-63` articles) and topics, each also as `*`:
(E+1)(R+1)(T+1) dictionary lookups, then the full filter check on the few
candidates found. Subscriptions constrained only by keywords are filed under
the first word of each keyword.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import product

from newswatch.alerts.filters import matches
from newswatch.alerts.ports import Filters, Subscription
from newswatch.alerts.view import ArticleView, normalise

ANY = "*"
MAX_KEYS_PER_SUB = 256  # past this, the widest dimension is left to the filter check

Key = tuple[str, str, str]


def sub_keys(f: Filters) -> list[Key]:
    """The index keys a filter is filed under."""
    dims = [list(f.event_types) or [ANY], list(f.regions) or [ANY], [t.id for t in f.topics] or [ANY]]
    while len(dims[0]) * len(dims[1]) * len(dims[2]) > MAX_KEYS_PER_SUB:
        widest = max(range(3), key=lambda i: len(dims[i]))
        dims[widest] = [ANY]
    return [(e, r, t) for e, r, t in product(*dims)]


class SubscriptionIndex:
    """Immutable once built; rebuild (cheap) when subscriptions change."""

    def __init__(self, subs: Iterable[Subscription]) -> None:
        self._by_key: dict[Key, list[Subscription]] = defaultdict(list)
        self._by_word: dict[str, list[Subscription]] = defaultdict(list)
        self.size = 0
        for s in subs:
            self._add(s)
        self._by_key = dict(self._by_key)
        self._by_word = dict(self._by_word)

    def _add(self, s: Subscription) -> None:
        self.size += 1
        keys = sub_keys(s.filters)
        if keys == [(ANY, ANY, ANY)] and s.filters.keywords:
            for word in {normalise(k).split()[0] for k in s.filters.keywords if normalise(k)}:
                self._by_word[word].append(s)
            return
        for key in keys:
            self._by_key[key].append(s)

    def match(self, v: ArticleView) -> list[Subscription]:
        """Subscriptions whose filters match the article (min_publishers not checked), no duplicates."""
        if not v.events:
            return []
        found: dict[str, Subscription] = {}
        for key in product((*v.events, ANY), (*v.regions, ANY), (*v.topics, ANY)):
            for s in self._by_key.get(key, ()):
                found[s.id] = s
        if self._by_word:
            for w in v.words:
                for s in self._by_word.get(w, ()):
                    found[s.id] = s
        return [s for s in found.values() if matches(s.filters, v)]
