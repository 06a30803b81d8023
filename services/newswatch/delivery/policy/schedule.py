"""The bounded retry schedule: when the next attempt is due, or that there is none.

Attempts are numbered from 1. `delays[0]` is the wait before attempt 1
(normally 0: deliver immediately), `delays[k]` the wait before attempt k+1.
The default roughly multiplies each wait (5 s, 5 min, 30 min, 2 h, 5 h,
10 h, 10 h): exponential backoff capped at 10 h, about 28 h in all, so a
receiver that is down overnight still gets its alerts. Jitter spreads the
retries of many alerts that failed together so they do not return as a herd.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DEFAULT_DELAYS: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)


@dataclass(frozen=True, slots=True)
class Schedule:
    delays: tuple[float, ...] = DEFAULT_DELAYS
    jitter: float = 0.2  # each wait is scaled by a uniform factor in [1 - jitter, 1 + jitter]

    @property
    def max_attempts(self) -> int:
        return len(self.delays)

    def next_delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float | None:
        """Seconds to wait after failed attempt `attempt` before the next; None once exhausted.

        A receiver's `Retry-After` is a lower bound, but never beyond the
        longest wait of the schedule, so a hostile header cannot park an alert.
        """
        if attempt >= self.max_attempts:
            return None
        base = self.delays[attempt]
        delay = base * (1 + self.jitter * (2 * rng.random() - 1))
        if retry_after is not None:
            delay = max(delay, min(retry_after, max(self.delays)))
        return delay


def parse_delays(text: str) -> tuple[float, ...]:
    """`"0,5,300"` -> (0.0, 5.0, 300.0); used by `NEWSWATCH_DELIVERY_SCHEDULE`."""
    delays = tuple(float(part) for part in text.split(",") if part.strip())
    if not delays or any(d < 0 for d in delays):
        raise ValueError(f"a delivery schedule needs one or more non-negative seconds, got {text!r}")
    return delays
