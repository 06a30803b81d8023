"""Settings.from_env: defaults, parsing, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.config import Backend, Settings, option_table


@pytest.mark.parametrize(
    ("env", "field", "expected"),
    [
        ({}, "backend", Backend.EMBEDDED),  # default: no servers needed
        ({"NEWSWATCH_BACKEND": "distributed"}, "backend", Backend.DISTRIBUTED),
        ({}, "port", 8080),
        ({"NEWSWATCH_PORT": "9001"}, "port", 9001),
        ({"NEWSWATCH_PORT": ""}, "port", 8080),  # empty means unset
        ({"NEWSWATCH_DATA_DIR": "/var/lib/nw"}, "sqlite_path", Path("/var/lib/nw/newswatch.sqlite3")),
        ({}, "admin_token", None),
        ({"NEWSWATCH_ADMIN_TOKEN": "s3cret"}, "admin_token", "s3cret"),
        ({"NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "1"}, "webhook_allow_private", True),
        ({"NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "false"}, "webhook_allow_private", False),
        ({}, "metrics_port", None),
        ({"NEWSWATCH_METRICS_PORT": "9108"}, "metrics_port", 9108),
        ({"NEWSWATCH_REDIS_URL": "redis://h:1/2"}, "redis_url", "redis://h:1/2"),
    ],
)
def test_from_env(env: dict[str, str], field: str, expected: object) -> None:
    assert getattr(Settings.from_env(env), field) == expected


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"NEWSWATCH_BACKEND": "cloud"}, "NEWSWATCH_BACKEND"),  # not an enum value
        ({"NEWSWATCH_PORT": "http"}, "NEWSWATCH_PORT"),
        ({"NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "maybe"}, "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE"),
    ],
)
def test_bad_values_name_their_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(ValueError, match=names):
        Settings.from_env(env)


def test_flags_override_only_what_is_given() -> None:
    s = Settings.from_env({"NEWSWATCH_PORT": "9001"}).with_overrides(host="0.0.0.0", port=None)
    assert (s.host, s.port) == ("0.0.0.0", 9001)


def test_the_admin_token_stays_out_of_the_repr() -> None:
    assert "s3cret" not in repr(Settings.from_env({"NEWSWATCH_ADMIN_TOKEN": "s3cret"}))


def test_every_option_is_in_the_table() -> None:
    table = option_table()
    for var in (
        "NEWSWATCH_BACKEND",
        "NEWSWATCH_PORT",
        "NEWSWATCH_ADMIN_TOKEN",
        "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE",
    ):
        assert f"`{var}`" in table


@pytest.mark.parametrize("raw", ["1", "true", "yes", "on", "0", "off", ""])
def test_the_ssrf_policy_follows_the_settings_flag(raw: str) -> None:
    s = Settings.from_env({"NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": raw})
    assert s.delivery.ssrf.allow_private is s.webhook_allow_private


def test_component_configs_are_read_from_the_same_environment() -> None:
    s = Settings.from_env({"NEWSWATCH_DELIVERY_TIMEOUT": "3"})
    assert s.delivery.timeout == 3.0


def test_the_readme_table_is_the_generated_one() -> None:
    """README.md shows `newswatch run --help-config`; regenerate it when an option changes."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert option_table() in readme
