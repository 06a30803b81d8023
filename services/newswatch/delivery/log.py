"""The delivery attempt log: one record per attempt (or per decision not to attempt).

Backends: SQLite (`log_sqlite.py`, embedded) and Redis (`log_redis.py`,
distributed), both passing `tests/contract/test_delivery_log_contract.py`.
Methods may block on I/O and raise the backend's connection errors.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol


class AttemptOutcome(enum.StrEnum):
    DELIVERED = "delivered"  # 2xx
    RETRY = "retry"  # transient failure, another attempt scheduled (`next_at`)
    EXHAUSTED = "exhausted"  # transient failure on the last attempt of the schedule
    GAVE_UP = "gave_up"  # permanent failure (4xx other than 410/429)
    DISABLED = "disabled"  # 410 Gone: the subscription was disabled
    BLOCKED = "blocked"  # SSRF guard refused the resolved address; nothing sent
    CIRCUIT_OPEN = "circuit_open"  # endpoint breaker open: nothing sent, next try at `next_at`
    SKIPPED = "skipped"  # subscription missing or disabled; nothing sent


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """`attempt` counts from 1 per delivery run (a replay starts again at 1).

    `status` is the HTTP status, None when no response came; `latency` the
    HTTP wall time in seconds, None when nothing was sent.
    """

    alert_id: str
    subscription_id: str
    tenant: str
    attempt: int
    at: datetime
    outcome: str  # an AttemptOutcome value
    status: int | None = None
    latency: float | None = None
    error: str | None = None
    next_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = _iso(self.at)
        d["next_at"] = _iso(self.next_at)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DeliveryAttempt:
        fields = dict(d)
        fields["at"] = datetime.fromisoformat(d["at"])
        fields["next_at"] = datetime.fromisoformat(d["next_at"]) if d.get("next_at") else None
        return cls(**fields)


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class AttemptQuery:
    """Which attempt records to list: `tenant` None means every tenant (the admin); `at >= since`;
    `cursor` is a previous page's; at most `limit` records."""

    tenant: str | None
    subscription_id: str | None = None
    alert_id: str | None = None
    since: datetime | None = None
    cursor: str | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True)
class AttemptPage:
    """Newest first; `cursor` (opaque) fetches the next page, None on the last one."""

    items: tuple[DeliveryAttempt, ...]
    cursor: str | None = None


class DeliveryLog(Protocol):
    def append(self, attempt: DeliveryAttempt) -> None:
        """Store one record durably before returning."""

    def list_attempts(self, query: AttemptQuery) -> AttemptPage:
        """The records `query` selects, newest first."""
