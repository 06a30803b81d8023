"""Whether to tell a subscriber about a story now: pure, in the shape of Alertmanager's needsUpdate.

- First match: `story.detected` once the story has `min_publishers` independent
  publishers and `group_wait` has passed since it first matched (held until then).
- Afterwards: `story.updated` only on a material change against what was last
  sent (publishers past a threshold, higher casualty counts, a new event type),
  and no sooner than `repeat_interval` after the previous alert (held until then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from newswatch.alerts.ports import Notice, Subscription

PUBLISHER_STEPS = (2, 3, 5, 10, 20, 50, 100)  # crossing one of these is news; 6 -> 7 publishers is not


class Verdict(StrEnum):
    NONE = "none"  # nothing to send
    HOLD = "hold"  # something to send, but not yet (group_wait / repeat_interval)
    DETECTED = "story.detected"
    UPDATED = "story.updated"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    changes: tuple[str, ...] = ()


def _step(publishers: int) -> int:
    return sum(publishers >= s for s in PUBLISHER_STEPS)


def material_changes(sent: dict[str, Any], now_facts: dict[str, Any]) -> tuple[str, ...]:
    """What changed that a subscriber should hear about, in a fixed order."""
    changes = []
    if _step(now_facts["publishers"]) > _step(sent.get("publishers", 0)):
        changes.append("publishers")
    old, new = sent.get("casualties", {}), now_facts["casualties"]
    if any(new.get(k, 0) > old.get(k, 0) for k in new):
        changes.append("casualties")
    if set(now_facts["event_types"]) - set(sent.get("event_types", ())):
        changes.append("event_types")
    return tuple(changes)


def decide(notice: Notice | None, story_facts: dict[str, Any], sub: Subscription, now: datetime) -> Decision:
    if story_facts["publishers"] < sub.filters.min_publishers:
        return Decision(Verdict.NONE)
    if notice is None or notice.sent_at is None:
        first = notice.first_matched if notice else now
        if now - first < timedelta(seconds=sub.group_wait):
            return Decision(Verdict.HOLD)
        return Decision(Verdict.DETECTED)
    changes = material_changes(notice.snapshot, story_facts)
    if not changes:
        return Decision(Verdict.NONE)
    if now - notice.sent_at < timedelta(seconds=sub.repeat_interval):
        return Decision(Verdict.HOLD, changes)
    return Decision(Verdict.UPDATED, changes)
