"""JSON encodings of the alerts-domain records, shared by the SQLite and Redis stores."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

from newswatch.alerts import subscriptions as subcodec
from newswatch.alerts.ports import AlertKind, AlertRecord, AlertStatus, Member, Notice, Story, Subscription
from newswatch.alerts.ports import micros as micros  # re-exported: the stores import it from here


def time_of(us: int) -> datetime:
    """`micros` back to an aware UTC time."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def _dt(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def sub_dumps(s: Subscription) -> str:
    return json.dumps(subcodec.to_dict(s, with_secret=True))


def sub_loads(raw: str | bytes) -> Subscription:
    return subcodec.from_dict(json.loads(raw))


def alert_dumps(a: AlertRecord) -> str:
    d = {f.name: getattr(a, f.name) for f in fields(a)}
    d["created_at"] = _iso(a.created_at)
    return json.dumps(d)


def alert_loads(raw: str | bytes, status: str | None = None) -> AlertRecord:
    """An alert as stored (enums as their values); `status`, when given, overrides the stored one."""
    d = json.loads(raw)
    d["created_at"] = _dt(d["created_at"])
    d["kind"] = AlertKind(d["kind"])
    d["status"] = AlertStatus(d["status"] if status is None else status)
    return AlertRecord(**d)


def story_dumps(s: Story) -> str:
    members = [_member_dict(m) for m in s.members]
    return json.dumps(
        {
            "id": s.id,
            "first_seen": _iso(s.first_seen),
            "last_seen": _iso(s.last_seen),
            "keys": list(s.keys),
            "members": members,
            "facts": s.facts,
        }
    )


def _member_dict(m: Member) -> dict[str, Any]:
    # By hand: dataclasses.asdict deep-copies every nested value and dominated the planner's time.
    return {
        "article_id": m.article_id,
        "source": m.source,
        "origin": m.origin,
        "title": m.title,
        "url": m.url,
        "published_at": m.published_at,
        "signature": m.signature,
        "seen_at": _iso(m.seen_at),
        "events": m.events,
        "topics": dict(m.topics),
        "regions": m.regions,
    }


def member_dumps(m: Member) -> str:
    """A member without its `origin` (stored apart: merging text clusters rewrites only origins)."""
    d = _member_dict(m)
    del d["origin"]
    return json.dumps(d)


# Parsed members by their stored JSON and origin. The planner reads every candidate story of a poll
# batch, and a story's members barely change between batches: parsing them again was the larger
# part of the read. Members are immutable (their events are never mutated), so one object can serve
# every read. 4,096 hold the open stories of a busy poll (2,048 thrashed: 560 against 356 us
# per article in bench.planner_real) and cost ~15 MB.
_MEMBERS_CACHED = 4096
_members: dict[tuple[str | bytes, str], Member] = {}
_members_guard = threading.Lock()


def member_loads(raw: str | bytes, origin: str) -> Member:
    key = (raw, origin)
    found = _members.get(key)
    if found is not None:
        return found
    d = json.loads(raw)
    d["origin"] = origin
    member = _member(d)
    with _members_guard:  # stores may be shared by threads (embedded mode)
        if len(_members) >= _MEMBERS_CACHED:
            _members.clear()  # cheaper than LRU bookkeeping on every hit; refills in a batch or two
        _members[key] = member
    return member


def by_arrival(members: list[Member]) -> tuple[Member, ...]:
    """Members in a stable order (when they were seen, then id): stores keep them unordered."""
    far = datetime.min.replace(tzinfo=UTC)
    return tuple(sorted(members, key=lambda m: (m.seen_at or far, m.article_id)))


def story_loads(raw: str | bytes) -> Story:
    d = json.loads(raw)
    members = tuple(_member(m) for m in d["members"])
    return Story(d["id"], _req(d["first_seen"]), _req(d["last_seen"]), tuple(d["keys"]), members, d["facts"])


def _member(m: dict[str, Any]) -> Member:
    m.update(
        seen_at=_dt(m["seen_at"]),
        signature=tuple(m["signature"]),
        events=tuple(m["events"]),
        regions=tuple(m["regions"]),
    )
    return Member(**m)


def _req(s: str) -> datetime:
    t = datetime.fromisoformat(s)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def notice_dumps(n: Notice) -> str:
    # By hand: dataclasses.asdict deep-copies the snapshot, a large share of the planner's time.
    d = {f.name: getattr(n, f.name) for f in fields(n)}
    d.update(sent_at=_iso(n.sent_at), first_matched=_iso(n.first_matched), held_since=_iso(n.held_since))
    return json.dumps(d)


def notice_loads(raw: str | bytes) -> Notice:
    d = json.loads(raw)
    d.update(
        sent_at=_dt(d["sent_at"]), first_matched=_req(d["first_matched"]), held_since=_dt(d["held_since"])
    )
    return Notice(**d)


def cursor_encode(created_us: int, alert_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_us}|{alert_id}".encode()).decode()


def cursor_decode(cursor: str) -> tuple[int, str]:
    """Raise ValueError on a cursor we did not issue."""
    us, _, alert_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
    return int(us), alert_id
