"""The composition root applies NEWSWATCH_SUBSCRIPTIONS_FILE at start-up, and a bad file stops it."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.compose import build
from newswatch.config import Settings
from newswatch.domain.errors import InvalidMessage

GOOD = """
- id: sub_grid
  name: Grid attacks in Ukraine
  filters: {event_types: [power_plant_strike], regions: [UA]}
  webhook: {url: "https://hooks.example.com/grid"}
"""


def _settings(tmp_path: Path, subs: Path) -> Settings:
    return Settings.from_env(
        {"NEWSWATCH_DATA_DIR": str(tmp_path / "data"), "NEWSWATCH_SUBSCRIPTIONS_FILE": str(subs)}
    )


def test_declared_subscriptions_are_loaded(tmp_path: Path) -> None:
    subs = tmp_path / "subs.yaml"
    subs.write_text(GOOD)
    services = build(_settings(tmp_path, subs))
    try:
        assert services.subscriptions is not None
        loaded = services.subscriptions.get("sub_grid")
        assert loaded is not None and loaded.filters.event_types == ("power_plant_strike",)
    finally:
        services.close()


def test_bad_file_stops_start_up(tmp_path: Path) -> None:
    subs = tmp_path / "subs.yaml"
    subs.write_text("- {name: no webhook}\n")
    with pytest.raises(InvalidMessage):
        build(_settings(tmp_path, subs))
