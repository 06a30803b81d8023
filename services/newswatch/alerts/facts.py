"""What is known about a story, folded from its members independently of arrival order.

The facts are what alerts explain and what `notify.material_changes` compares.
"""

from __future__ import annotations

from typing import Any

from newswatch.alerts.ports import Member, Story
from newswatch.alerts.publishers import independent_publishers

CASUALTY_FIELDS = ("killed", "injured")


def distinct_events(members: tuple[Member, ...]) -> list[dict[str, Any]]:
    """Every (type, evidence sentence) once, most confident first; wire copies repeat sentences.

    Ties go to the lowest article id and the order is total, so arrival order does not matter.
    """
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for e in (e for m in members for e in m.events):
        key = (e["type"], e["evidence"]["sentence"])
        if key not in best or _rank(e) < _rank(best[key]):
            best[key] = e
    return sorted(best.values(), key=_rank)


def _rank(e: dict[str, Any]) -> tuple[float, str, str, str]:
    """Smaller is better: highest confidence, then type, lowest article id, sentence."""
    return (-e["confidence"], e["type"], e["evidence"]["article_id"], e["evidence"]["sentence"])


def casualties(members: tuple[Member, ...]) -> dict[str, int]:
    """Highest count reported for each field across every casualties event."""
    out = dict.fromkeys(CASUALTY_FIELDS, 0)
    for e in (e for m in members for e in m.events):
        for f in CASUALTY_FIELDS:
            value = e.get("attributes", {}).get(f)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[f] = max(out[f], int(value))
    return out


def facts(story: Story) -> dict[str, Any]:
    events = distinct_events(story.members)
    top = events[0] if events else None
    topics: dict[str, float] = {}
    for m in story.members:
        for t, score in m.topics.items():
            topics[t] = max(topics.get(t, 0.0), score)
    return {
        "story_id": story.id,
        "event_types": list(dict.fromkeys(e["type"] for e in events)),  # most confident first
        "confidence": top["confidence"] if top else 0.0,
        "location": top.get("location") if top else None,
        "events": events,
        "topics": [{"id": t, "score": s} for t, s in sorted(topics.items(), key=lambda ts: (-ts[1], ts[0]))],
        "regions": sorted({r for m in story.members for r in m.regions}),
        "articles": [
            _article(m) for m in sorted(story.members, key=lambda m: (m.published_at or "", m.article_id))
        ],
        "publishers": independent_publishers(story.members),
        "casualties": casualties(story.members),
        "first_seen": story.first_seen.isoformat(),
        "last_seen": story.last_seen.isoformat(),
    }


def _article(m: Member) -> dict[str, Any]:
    return {
        "id": m.article_id,
        "title": m.title,
        "url": m.url,
        "source": m.source,
        "published_at": m.published_at,
    }


def decision_facts(story: Story) -> dict[str, Any]:
    """The facts `notify.decide` reads (publishers, casualties, the set of event types), without
    ranking events or listing articles: most articles decide that nothing is to be sent."""
    return {
        "publishers": independent_publishers(story.members),
        "casualties": casualties(story.members),
        "event_types": sorted({e["type"] for m in story.members for e in m.events}),
    }
