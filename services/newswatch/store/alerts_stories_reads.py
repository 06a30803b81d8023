"""Story queries both backends answer the same way, built on their two primitive reads.

A backend provides `_hits(lookups, since, limit)` (story ids per lookup with their last_us, newest
first), `_read(story_ids)` (story or None, notices and version per id) and `_alerts_of(tenant)`
(the alerts stored with the stories, oldest first); this mixin derives the rest of the StoryStore
reads from them, so SQLite and Redis cannot disagree on their meaning.
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
Read = tuple[Story | None, dict[str, Notice], int]


class StoryQueries:
    def _hits(self, lookups: Sequence[str], since: datetime, limit: int | None) -> Hits:
        raise NotImplementedError

    def _read(self, story_ids: Sequence[str]) -> dict[str, Read]:
        raise NotImplementedError

    def _key_versions(self, keys: Sequence[str]) -> dict[str, int]:
        raise NotImplementedError

    def _alerts_of(self, tenant: str | None) -> list[AlertRecord]:
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
        # Reads every alert of the caller: fine for the alert volumes a subscriber receives; a story
        # index per tenant would be the next step if that grows.
        ids = story_listing.alerted_story_ids(self._alerts_of(tenant))
        stories = [s for s in self.get_many(ids) if since is None or s.last_seen >= since]
        after = cursor_decode(cursor) if cursor is not None else None
        items, more = story_listing.page(stories, query or StoryQuery(), after, limit)
        last = items[-1] if items else None
        return StoryPage(
            tuple(items), cursor_encode(micros(last.last_seen), last.id) if more and last else None
        )

    def story_detail(self, story_id: str, tenant: str | None) -> StoryDetail | None:
        alerts = [a for a in self._alerts_of(tenant) if a.story_id == story_id]
        story = self.get(story_id) if story_listing.alerted_story_ids(alerts) else None
        return StoryDetail(story, tuple(alerts)) if story is not None else None
