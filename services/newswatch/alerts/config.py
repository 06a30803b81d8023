"""Options of the alerts domain, read once from the environment (`newswatch.config.Settings` holds them).

- `subscriptions_file` (NEWSWATCH_SUBSCRIPTIONS_FILE, unset): a JSON or YAML list of
  schemas/subscription.v1 documents applied at start-up (see `declared.apply_file`).
- `story_window` (NEWSWATCH_STORY_WINDOW_HOURS, 12): an article joins a story last seen this
  recently; older stories are closed.
- `refresh_interval` (NEWSWATCH_SUBSCRIPTIONS_REFRESH_SECONDS, 0): how often the planner checks
  for subscription changes (0: before every article).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from newswatch.alerts.planner import PlannerConfig

STORY_WINDOW = timedelta(hours=12)
REFRESH_INTERVAL = timedelta(0)


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    subscriptions_file: Path | None = None
    story_window: timedelta = STORY_WINDOW
    refresh_interval: timedelta = REFRESH_INTERVAL

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AlertsConfig:
        """Unset or empty variables keep the defaults; raises ValueError naming a bad one."""

        def seconds(name: str, default: timedelta, unit: float = 1.0) -> timedelta:
            raw = env.get(name, "")
            try:
                value = float(raw) * unit if raw else default.total_seconds()
            except ValueError as exc:
                raise ValueError(f"{name}={raw!r}: {exc}") from exc
            if value < 0:
                raise ValueError(f"{name}={raw!r}: must not be negative")
            return timedelta(seconds=value)

        path = env.get("NEWSWATCH_SUBSCRIPTIONS_FILE", "")
        return cls(
            subscriptions_file=Path(path) if path else None,
            story_window=seconds("NEWSWATCH_STORY_WINDOW_HOURS", STORY_WINDOW, 3600.0),
            refresh_interval=seconds("NEWSWATCH_SUBSCRIPTIONS_REFRESH_SECONDS", REFRESH_INTERVAL),
        )

    def planner(self) -> PlannerConfig:
        return PlannerConfig(story_window=self.story_window, refresh_interval=self.refresh_interval)
