"""Story queries both backends answer the same way, built on their primitive reads.

A backend provides `_hits(lookups, since, limit)` (story ids per lookup with their last_us, newest
first), `_read(story_ids)` (story or None, notices and version per id), and its stories index:
`_tenant_stories` (the stories a tenant was alerted on by last_seen, kept up to date by every
alert insert and story write) and `_story_alerts` (the alerts filed under a story). This mixin
derives the rest of the StoryStore reads from them, so SQLite and Redis cannot disagree on their
meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from newswatch.alerts import story_listing
from newswatch.alerts.ports import AlertRecord, Candidate, Notice, Snapshot, Story, StoryState, micros
from newswatch.alerts.stories import candidates_from
from newswatch.alerts.story_listing import StoryDetail, StoryPage, StoryQuery
from newswatch.store.alerts_codec import cursor_decode, cursor_encode

Hits = dict[str, list[tuple[str, int]]]
MAX_CHUNK = 1000  # index entries read at once while a filtered listing looks for its page
Read = tuple[Story | None, dict[str, Notice], int]


class StoryQueries:
    def _hits(self, lookups: Sequence[str], since: datetime, limit: int | None) -> Hits:
        raise NotImplementedError

    def _read(self, story_ids: Sequence[str]) -> dict[str, Read]:
        raise NotImplementedError

    def _key_versions(self, keys: Sequence[str]) -> dict[str, int]:
        raise NotImplementedError

    def _story_alerts(self, story_id: str, tenant: str | None) -> list[AlertRecord]:
        """The alerts filed under the story (of `tenant`; None: of any), oldest first."""
        raise NotImplementedError

    def _tenant_stories(
        self, tenant: str | None, after: tuple[int, str] | None, since_us: int, n: int
    ) -> list[tuple[str, int]]:
        """At most `n` (story id, last_us) of the stories index of `tenant` (None: of any tenant),
        newest first (ties by id, descending), ranked after `after` and last seen at/after `since_us`."""
        raise NotImplementedError

    def _forget(self, tenant: str | None, story_ids: Sequence[str]) -> None:
        """Take stories that no longer exist out of the tenant's index."""
        raise NotImplementedError

    def snapshot(self, lookups: Sequence[str], keys: Sequence[str], since: datetime, limit: int) -> Snapshot:
        # The key versions first: a story opened under a key after this read bumps the version, so
        # the commit is refused even if the lookups read next already miss it. (Read after the
        # lookups, a story opened in between would be missed by both, and opened twice.)
        versions = self._key_versions(sorted(set(keys)))
        hits = self._hits(list(dict.fromkeys(lookups)), since, limit)
        ids = sorted({sid for found in hits.values() for sid, _ in found})
        return Snapshot({k: tuple(v) for k, v in hits.items() if v}, self.states(ids), versions)

    def states(self, story_ids: Sequence[str]) -> dict[str, StoryState]:
        read = self._read(list(dict.fromkeys(story_ids)))
        return {i: StoryState(s, n, v) for i, (s, n, v) in read.items() if s is not None}

    def get(self, story_id: str) -> Story | None:
        return self._read([story_id]).get(story_id, (None, {}, 0))[0]

    def get_many(self, story_ids: Sequence[str]) -> list[Story]:
        found = self.states(story_ids)
        return [found[i].story for i in story_ids if i in found]

    def candidates(self, keys: Iterable[str], bands: Iterable[str], since: datetime) -> list[Candidate]:
        hits = self._hits([f"k:{k}" for k in keys] + [f"b:{b}" for b in bands], since, None)
        return candidates_from((lookup, sid, last) for lookup, found in hits.items() for sid, last in found)

    def notice(self, subscription_id: str, story_id: str) -> Notice | None:
        return self._read([story_id]).get(story_id, (None, {}, 0))[1].get(subscription_id)

    def notices_for(self, story_id: str) -> list[Notice]:
        notices: Mapping[str, Notice] = self._read([story_id]).get(story_id, (None, {}, 0))[1]
        return [notices[k] for k in sorted(notices)]

    def list_stories(
        self,
        *,
        tenant: str | None,
        query: StoryQuery | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> StoryPage:
        # Walks the tenant's story index newest first, reading stories a chunk at a time until the
        # page is full: without filters that is one read of limit + 1 entries and their stories.
        q, since_us = query or StoryQuery(), micros(since) if since is not None else 0
        bound = cursor_decode(cursor) if cursor is not None else None
        found: list[tuple[Story, tuple[int, str]]] = []
        chunk = limit + 1
        while len(found) <= limit:
            entries = self._tenant_stories(tenant, bound, since_us, chunk)
            if not entries:
                break
            stories = {s.id: s for s in self.get_many([sid for sid, _ in entries])}
            self._forget(tenant, [sid for sid, _ in entries if sid not in stories])  # expired or pruned
            for sid, last in entries:
                story = stories.get(sid)
                if story is not None and story_listing.matches(story, q):
                    found.append((story, (last, sid)))
            if len(entries) < chunk:
                break
            bound, chunk = (entries[-1][1], entries[-1][0]), min(chunk * 2, MAX_CHUNK)
        items, more = found[:limit], len(found) > limit
        return StoryPage(tuple(s for s, _ in items), cursor_encode(*items[-1][1]) if more and items else None)

    def story_detail(self, story_id: str, tenant: str | None) -> StoryDetail | None:
        alerts = self._story_alerts(story_id, tenant)
        story = self.get(story_id) if alerts else None
        return StoryDetail(story, tuple(alerts)) if story is not None else None
