"""What the stories API shows: which alerted stories a caller sees, and the filters on them (pure).

Only stories that produced an alert are listed: a tenant sees the stories its subscriptions were
alerted on, the admin those of every tenant. Stories no subscription matched are planner state
(they expire unseen) and stay internal.
"""

from __future__ import annotations

from dataclasses import dataclass

from newswatch.alerts.ports import AlertRecord, Story


@dataclass(frozen=True, slots=True)
class StoryQuery:
    """Filters of `GET /v1/stories`; None matches everything. `region` is hierarchical."""

    region: str | None = None
    event_type: str | None = None
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class StoryPage:
    """Stories newest first (by last_seen); `cursor` is opaque, None on the last page."""

    items: tuple[Story, ...]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class StoryDetail:
    story: Story
    alerts: tuple[AlertRecord, ...]  # the caller's alerts about the story, oldest first


def story_regions(story: Story) -> frozenset[str]:
    """Codes its members name or locate an event in, each with its country (UA-63 -> UA)."""
    codes = {r for m in story.members for r in m.regions}
    for e in (e for m in story.members for e in m.events):
        loc = e.get("location") or {}
        codes.update(c for c in (loc.get("country"), loc.get("subdivision")) if isinstance(c, str) and c)
    codes.update({c.split("-", 1)[0] for c in codes})
    return frozenset(codes)


def matches(story: Story, q: StoryQuery) -> bool:
    """AND across the given filters; `UA` matches a story about `UA-63`, not the other way round."""
    if q.region is not None and q.region not in story_regions(story):
        return False
    if q.event_type is not None and all(
        e.get("type") != q.event_type for m in story.members for e in m.events
    ):
        return False
    return q.topic is None or any(q.topic in m.topics for m in story.members)
