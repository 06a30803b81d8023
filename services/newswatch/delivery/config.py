"""Delivery options, read once from the environment (aggregated by `newswatch.config`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
    - `countdown_max` (NEWSWATCH_DELIVERY_COUNTDOWN_MAX, 60 s): longer waits are parked in the
      app's due-retry set instead of a Celery countdown; must stay well below the visibility timeout.
    - `visibility_timeout` (NEWSWATCH_DELIVERY_VISIBILITY_TIMEOUT, 3600 s): Redis broker redelivers
      an unacknowledged task after this long.
    - `mover_interval` (NEWSWATCH_DELIVERY_MOVER_INTERVAL, 1 s): how often due retries are moved.
    - `ssrf` (NEWSWATCH_WEBHOOK_ALLOW_PRIVATE, NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS): see `ssrf.py`.
    """

    schedule: Schedule = field(default_factory=Schedule)
    timeout: float = 15.0
    concurrency: int = 4
    breaker: Policy = field(default_factory=Policy)
    countdown_max: float = 60.0
    visibility_timeout: float = 3600.0
    mover_interval: float = 1.0
    ssrf: SsrfPolicy = field(default_factory=SsrfPolicy)

    def __post_init__(self) -> None:
        if self.countdown_max * 2 > self.visibility_timeout:
            raise ValueError("NEWSWATCH_DELIVERY_COUNTDOWN_MAX must be under half the visibility timeout")

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
            countdown_max=num("COUNTDOWN_MAX", 60.0),
            visibility_timeout=num("VISIBILITY_TIMEOUT", 3600.0),
            mover_interval=num("MOVER_INTERVAL", 1.0),
            ssrf=SsrfPolicy.from_env(env),
        )
