"""Delivery options, read once from the environment (aggregated by `newswatch.config`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newswatch.delivery.policy.breaker import Policy
from newswatch.delivery.policy.schedule import DEFAULT_DELAYS, Schedule, parse_delays
from newswatch.delivery.policy.ssrf import SsrfPolicy

QUEUE = "deliveries"  # first attempts
RETRY_QUEUE = "deliveries.retry"  # every later attempt
TASK = "newswatch.delivery.deliver"  # args: [alert_id, attempt]


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """Every option; the variable names are in `from_env`.

    - `schedule` (NEWSWATCH_DELIVERY_SCHEDULE, seconds, comma-separated): wait before each attempt.
    - `jitter` (NEWSWATCH_DELIVERY_JITTER, 0.2): each wait is scaled by 1 ± jitter.
    - `timeout` (NEWSWATCH_DELIVERY_TIMEOUT, 15 s): connect/read/write timeout of one POST.
    - `concurrency` (NEWSWATCH_DELIVERY_CONCURRENCY, 4): parallel deliveries per process.
    - `breaker` (NEWSWATCH_DELIVERY_BREAKER_THRESHOLD 5 failures, _COOLDOWN 60 s): per endpoint.
    - `countdown_max` (NEWSWATCH_DELIVERY_COUNTDOWN_MAX, 20 s): longer waits are parked in the
      app's due-retry set instead of a Celery countdown; must stay under half the visibility timeout
      (a worker holds a countdown task unacknowledged until it is due).
    - `visibility_timeout` (NEWSWATCH_DELIVERY_VISIBILITY_TIMEOUT, 45 s): Redis broker redelivers
      an unacknowledged task after this long, so a killed worker's tasks run again within a minute
      (the surviving workers look every `restore_interval`, NEWSWATCH_DELIVERY_RESTORE_INTERVAL, 5 s).
    - `mover_interval` (NEWSWATCH_DELIVERY_MOVER_INTERVAL, 1 s): how often due retries are moved.
    - `stale_after` (NEWSWATCH_DELIVERY_STALE_AFTER, 120 s): an alert still open this long after
      its attempt fell due lost its task; the sweeper (every `sweep_interval`,
      NEWSWATCH_DELIVERY_SWEEP_INTERVAL, 10 s) queues it again.
    - `journal` (NEWSWATCH_DELIVERY_JOURNAL, `<NEWSWATCH_DATA_DIR>/delivery-journal-<hash>.sqlite3`):
      the distributed worker's local record of outcomes Redis has not taken yet; one file per Redis
      URL and key prefix (the hash), since its rows are applied to that Redis.
    - `ssrf` (NEWSWATCH_WEBHOOK_ALLOW_PRIVATE, NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS): see `ssrf.py`.
    """

    schedule: Schedule = field(default_factory=Schedule)
    timeout: float = 15.0
    concurrency: int = 4
    breaker: Policy = field(default_factory=Policy)
    countdown_max: float = 20.0
    visibility_timeout: float = 45.0
    restore_interval: float = 5.0
    mover_interval: float = 1.0
    stale_after: float = 120.0
    sweep_interval: float = 10.0
    journal: Path = Path(".local/data/delivery-journal.sqlite3")
    ssrf: SsrfPolicy = field(default_factory=SsrfPolicy)

    def __post_init__(self) -> None:
        if self.countdown_max * 2 > self.visibility_timeout:
            raise ValueError("NEWSWATCH_DELIVERY_COUNTDOWN_MAX must be under half the visibility timeout")

    @property
    def lock_lease(self) -> float:
        """How long one attempt holds its alert: the longest POST, but under the visibility timeout
        so a killed worker's lock is gone when its task comes back."""
        return min(self.timeout * 2 + 10, self.visibility_timeout * 0.8)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DeliveryConfig:
        """Unset or empty variables keep the defaults; raises ValueError naming a bad one."""

        def num(name: str, default: float) -> float:
            raw = env.get(f"NEWSWATCH_DELIVERY_{name}", "")
            try:
                return float(raw) if raw else default
            except ValueError as exc:
                raise ValueError(f"NEWSWATCH_DELIVERY_{name}={raw!r}: {exc}") from exc

        delays = env.get("NEWSWATCH_DELIVERY_SCHEDULE", "")
        return cls(
            schedule=Schedule(parse_delays(delays) if delays else DEFAULT_DELAYS, num("JITTER", 0.2)),
            timeout=num("TIMEOUT", 15.0),
            concurrency=int(num("CONCURRENCY", 4)),
            breaker=Policy(int(num("BREAKER_THRESHOLD", 5)), num("BREAKER_COOLDOWN", 60.0)),
            countdown_max=num("COUNTDOWN_MAX", 20.0),
            visibility_timeout=num("VISIBILITY_TIMEOUT", 45.0),
            restore_interval=num("RESTORE_INTERVAL", 5.0),
            mover_interval=num("MOVER_INTERVAL", 1.0),
            stale_after=num("STALE_AFTER", 120.0),
            sweep_interval=num("SWEEP_INTERVAL", 10.0),
            journal=Path(env.get("NEWSWATCH_DELIVERY_JOURNAL") or _default_journal(env)),
            ssrf=SsrfPolicy.from_env(env),
        )


def _default_journal(env: Mapping[str, str]) -> Path:
    where = f"{env.get('NEWSWATCH_REDIS_URL', '')}|{env.get('NEWSWATCH_REDIS_PREFIX', '')}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:12]
    return Path(env.get("NEWSWATCH_DATA_DIR") or ".local/data") / f"delivery-journal-{digest}.sqlite3"
