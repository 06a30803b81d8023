"""Grouping articles into stories (pure decisions; the planner does the store I/O).

An article joins a recent story (last seen within the window) when its text
is a near-duplicate of a member (LSH candidates from the store), else when
they share a blocking key: an event type at the same place (subdivision, else
country). Otherwise it starts a new story.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from newswatch.alerts.ports import Candidate, Member, Story
from newswatch.alerts.publishers import DUPLICATE, link
from newswatch.alerts.similarity import similarity
from newswatch.domain.model import Analysis, Article

# Members past this many are kept light (no signature or topics): they still count as publishers
# and their events still count in the story's facts (a subscriber must see why a story matched),
# but they are no longer compared as near-duplicates, which bounds the work per article.
MAX_FULL_MEMBERS = 50
# Past this many, articles only keep the story open (last_seen): 200 members already pass every
# publisher step that matters, and each article's cost grows with the stored story.
MAX_MEMBERS = 200


def story_keys(analysis: Analysis) -> tuple[str, ...]:
    """Blocking keys `type@place`: the event's subdivision, else the article's main subdivision,
    else the event's or the article's country (the most specific place known)."""
    by_score = sorted(analysis.regions, key=lambda r: (-r.score, r.code))
    subdivision = next((r.code for r in by_score if "-" in r.code), None)
    country = next((r.code for r in by_score if "-" not in r.code), None)
    keys = set()
    for e in analysis.events:
        place = e.location.subdivision or subdivision or e.location.country or country
        if place:
            keys.add(f"{e.type.value}@{place}")
    return tuple(sorted(keys))


UNKNOWN_SOURCE = "unknown"


def source_of(article: Article) -> str:
    """The publisher: `source`, else the URL's host, else `unknown`: articles without either are
    one publisher between them, not one each (a bulk load without sources is not 100 outlets)."""
    if article.source and article.source.strip():
        return article.source.strip().lower()
    host = urlsplit(article.url).hostname if article.url else None
    return host.removeprefix("www.") if host else UNKNOWN_SOURCE


def member_of(article: Article, analysis: Analysis, sig: tuple[int, ...], now: datetime) -> Member:
    events = []
    for e in analysis.events:
        d = e.to_dict()
        d["evidence"] = {"sentence": e.evidence.sentence, "article_id": article.id}
        events.append(d)
    return Member(
        article_id=article.id,
        source=source_of(article),
        origin=article.id,  # its own text cluster until linked
        title=article.title,
        url=article.url,
        published_at=article.published_at,
        signature=sig,
        seen_at=now,
        events=tuple(events),
        topics={t.topic.value: t.score for t in analysis.topics},
        regions=tuple(sorted(analysis.region_codes)),
    )


def choose(
    candidates: list[Story],
    keys: tuple[str, ...],
    sig: tuple[int, ...],
    by_text: frozenset[str] = frozenset(),
) -> Story | None:
    """The story to join: a near-duplicate member first, then the most shared keys; ties by recency, id.

    Only stories in `by_text` (the LSH candidates) are compared member by member.
    """

    def rank(s: Story) -> tuple[bool, int, datetime, str]:
        dup = s.id in by_text and any(similarity(sig, m.signature) >= DUPLICATE for m in s.members)
        return (dup, len(set(keys) & set(s.keys)), s.last_seen, s.id)

    ranked = [(rank(s), s) for s in candidates]
    eligible = [(r, s) for r, s in ranked if r[0] or r[1] > 0]
    return max(eligible, key=lambda rs: rs[0])[1] if eligible else None


def candidates_from(hits: Iterable[tuple[str, str, int]]) -> list[Candidate]:
    """Fold lookup hits (`k:<key>`/`b:<band>`, story id, last_us) into one Candidate per story, by id."""
    found: dict[str, list[int]] = {}  # id -> [shared, last_us, by_text]
    for lookup, sid, last in hits:
        c = found.setdefault(sid, [0, last, 0])
        c[1] = max(c[1], last)
        if lookup.startswith("k:"):
            c[0] += 1
        else:
            c[2] = 1
    return [Candidate(sid, c[0], c[1], bool(c[2])) for sid, c in sorted(found.items())]


def story_id(article_id: str) -> str:
    return "sty_" + hashlib.sha256(article_id.encode()).hexdigest()[:16]


def absorb(story: Story | None, member: Member, keys: tuple[str, ...], now: datetime) -> Story:
    """The story with the article added (unchanged if it is already a member: redelivery)."""
    if story is None:
        return Story(story_id(member.article_id), now, now, keys, link((), member))
    if any(m.article_id == member.article_id for m in story.members):
        return story
    if len(story.members) >= MAX_MEMBERS:
        return replace(story, last_seen=max(story.last_seen, now))
    members = link(story.members, member)
    if len(story.members) >= MAX_FULL_MEMBERS:
        members = (*members[:-1], replace(members[-1], signature=(), topics={}))
    return replace(
        story,
        last_seen=max(story.last_seen, now),
        keys=tuple(sorted(set(story.keys) | set(keys))),
        members=members,
    )
