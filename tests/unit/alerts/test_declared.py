"""The declarative subscriptions file: validated whole, applied idempotently, secrets kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newswatch.alerts.config import AlertsConfig
from newswatch.alerts.declared import apply_file
from newswatch.domain.errors import InvalidMessage
from newswatch.store.alerts_sqlite import SQLiteSubscriptions
from newswatch.store.sqlite import SQLiteDB

YAML = """
- name: Kharkiv power
  tenant: acme
  filters: {event_types: [power_plant_strike], regions: [UA-63], keywords: ["Power Station"]}
  webhook: {url: "https://hooks.example.com/a", headers: {X-Team: desk}}
- id: sub_fixed
  name: Strikes anywhere
  filters: {event_types: [strike], min_publishers: 2}
  webhook: {url: "https://hooks.example.com/b"}
  secret: whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteSubscriptions]:
    db = SQLiteDB(tmp_path / "s.sqlite3")
    yield SQLiteSubscriptions(db)
    db.close()


def test_apply_twice_creates_once_and_keeps_secrets(tmp_path: Path, store: SQLiteSubscriptions) -> None:
    path = tmp_path / "subs.yaml"
    path.write_text(YAML)
    first = apply_file(store, path)
    second = apply_file(store, path)
    assert [s.id for s in first] == [s.id for s in second] and len(store.all_active()) == 2
    assert [s.secret for s in first] == [s.secret for s in second]
    by_id = {s.id: s for s in store.all_active()}
    assert by_id["sub_fixed"].secret == "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
    kharkiv = next(s for s in first if s.id != "sub_fixed")
    assert kharkiv.tenant == "acme" and kharkiv.filters.keywords == ("power station",)
    assert kharkiv.webhook.headers == {"X-Team": "desk"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("- {name: x}", "entry 2"),  # no webhook (after two good entries)
        (
            '[{"name": "x", "webhook": {"url": "https://h"}, "filters": {"regions": ["ukraine"]}}]',
            "entry 0",
        ),  # bad code
        ("name: not-a-list", "expected a list"),  # not a list
        (
            '[{"name": "x", "webhook": {"url": "https://h"},'
            ' "delivery": {"mode": "digest", "interval": "2m"}}]',
            "entry 0: delivery.interval",
        ),  # a digest interval under 5 minutes
    ],
)
def test_a_bad_file_applies_nothing(
    tmp_path: Path, store: SQLiteSubscriptions, text: str, where: str
) -> None:
    path = tmp_path / "subs.yaml"
    path.write_text(YAML.rstrip() + "\n" + text if text.startswith("- ") else text)
    with pytest.raises(InvalidMessage, match=where):
        apply_file(store, path)
    assert store.all_active() == []


CONFIG_CASES = [
    ({}, AlertsConfig()),  # defaults
    (
        {"NEWSWATCH_SUBSCRIPTIONS_FILE": "/etc/subs.yaml"},
        AlertsConfig(subscriptions_file=Path("/etc/subs.yaml")),
    ),
    ({"NEWSWATCH_STORY_WINDOW_HOURS": "6"}, AlertsConfig(story_window=AlertsConfig().story_window / 2)),
]


@pytest.mark.parametrize(("env", "expected"), CONFIG_CASES)
def test_config_from_env(env: dict[str, str], expected: AlertsConfig) -> None:
    assert AlertsConfig.from_env(env) == expected


def test_config_names_a_bad_variable() -> None:
    with pytest.raises(ValueError, match="NEWSWATCH_STORY_WINDOW_HOURS"):
        AlertsConfig.from_env({"NEWSWATCH_STORY_WINDOW_HOURS": "soon"})


def test_a_declared_digest_subscription_keeps_its_interval(
    tmp_path: Path, store: SQLiteSubscriptions
) -> None:
    path = tmp_path / "subs.yaml"
    path.write_text(YAML + '  delivery: {mode: digest, interval: "PT90M"}\n')
    fixed = next(s for s in apply_file(store, path) if s.id == "sub_fixed")
    assert fixed.delivery.is_digest and fixed.delivery.interval_s == 5400
    stored = store.get("sub_fixed")
    assert stored is not None and stored.delivery == fixed.delivery
