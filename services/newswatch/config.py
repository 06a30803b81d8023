"""Configuration: read once from the environment, frozen, documented per option.

`Settings.from_env(os.environ)` is called once at start-up (by a command) and
the result is handed to `newswatch.compose`, which builds every object from
it. Nothing else reads the environment. Each field's metadata names its
variable and says what it does; `option_table()` renders that as the
configuration table in the README and `newswatch run --help-config`.

Component configurations (analysis, alerts, delivery, ...) are frozen
dataclasses of their own with `from_env(env)`; they are aggregated here as
fields so one object describes the whole process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from newswatch.alerts.config import AlertsConfig
from newswatch.delivery.config import DeliveryConfig
from newswatch.runtime.worker_config import WorkerConfig


class Backend(StrEnum):
    """Which set of backing services a process uses."""

    EMBEDDED = "embedded"  # SQLite + in-process log queue + in-process delivery; no servers
    DISTRIBUTED = "distributed"  # Redis + Kafka + Celery


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected a boolean (1/0, true/false), got {raw!r}")


def _optional(raw: str) -> str | None:
    return raw or None


def _optional_port(raw: str) -> int | None:
    return int(raw) if raw else None


def _newswatch_vars(env: Mapping[str, str]) -> Mapping[str, str]:
    return {k: v for k, v in env.items() if k.startswith("NEWSWATCH_")}


def _opt(env: str, default: Any, doc: str, parse: Callable[[str], Any] = str, secret: bool = False) -> Any:
    """A settings field read from `env`, parsed by `parse`, documented by `doc`.

    Secrets are left out of the repr so logging the settings cannot leak them.
    """
    return field(default=default, repr=not secret, metadata={"env": env, "doc": doc, "parse": parse})


@dataclass(frozen=True)
class Settings:
    """Every process-level option; defaults suit `newswatch run` on a laptop."""

    backend: Backend = _opt(  # noqa: RUF009 (_opt returns a dataclasses.field)
        "NEWSWATCH_BACKEND",
        Backend.EMBEDDED,
        "`embedded` (SQLite, in-process queue and delivery, no servers) or "
        "`distributed` (Kafka, Redis, Celery).",
        Backend,
    )
    host: str = _opt("NEWSWATCH_HOST", "127.0.0.1", "Address the HTTP API listens on.")
    port: int = _opt("NEWSWATCH_PORT", 8080, "Port of the HTTP API.", int)
    data_dir: Path = _opt(  # noqa: RUF009 (_opt returns a dataclasses.field)
        "NEWSWATCH_DATA_DIR",
        Path(".local/data"),
        "Directory of the embedded state (`newswatch.sqlite3`: queue and stores).",
        Path,
    )
    redis_url: str = _opt(
        "NEWSWATCH_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis for state and the Celery broker."
    )
    redis_prefix: str = _opt(
        "NEWSWATCH_REDIS_PREFIX", "newswatch:", "Prefix of every Redis key newswatch writes."
    )
    kafka_bootstrap: str = _opt(
        "NEWSWATCH_KAFKA_BOOTSTRAP", "127.0.0.1:9092", "Kafka bootstrap servers (comma-separated)."
    )
    articles_topic: str = _opt("NEWSWATCH_ARTICLES_TOPIC", "articles", "Topic (or embedded log) of input.")
    dlq_topic: str = _opt(
        "NEWSWATCH_DLQ_TOPIC", "articles.dlq", "Kafka topic of dead-lettered input (distributed)."
    )
    admin_token: str | None = _opt(
        "NEWSWATCH_ADMIN_TOKEN",
        None,
        "Bearer token of the admin. `newswatch run` generates and prints one when unset.",
        _optional,
        secret=True,
    )
    ingest_requires_key: bool = _opt(
        "NEWSWATCH_INGEST_REQUIRE_KEY",
        False,
        "When 1, `POST /v1/articles` needs a valid API key (any tenant or admin).",
        _flag,
    )
    ingest_timeout_s: float = _opt(
        "NEWSWATCH_INGEST_TIMEOUT",
        10.0,
        "Seconds `POST /v1/articles` waits for the queue to store a batch; then 503 with Retry-After.",
        float,
    )
    webhook_allow_private: bool = _opt(
        "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE",
        False,
        "When 1, webhooks may target loopback/private/link-local addresses (SSRF guard off).",
        _flag,
    )
    metrics_port: int | None = _opt(
        "NEWSWATCH_METRICS_PORT",
        None,
        "Port of a separate Prometheus endpoint for processes without the API (worker, delivery).",
        _optional_port,
    )

    # Component configurations: each reads its own variables (documented in its class).
    delivery: DeliveryConfig = field(
        default_factory=DeliveryConfig, metadata={"component": DeliveryConfig.from_env}
    )
    alerts: AlertsConfig = field(default_factory=AlertsConfig, metadata={"component": AlertsConfig.from_env})
    worker: WorkerConfig = field(default_factory=WorkerConfig, metadata={"component": WorkerConfig.from_env})
    # The NEWSWATCH_* variables as read, for factories that take an environment mapping
    # (Celery's app). `component_env()` reflects command-line overrides too.
    env: Mapping[str, str] = field(
        default_factory=dict, repr=False, compare=False, metadata={"component": _newswatch_vars}
    )

    def component_env(self) -> dict[str, str]:
        """The environment a component factory should see: what was read plus this object's values."""
        own = {f.metadata["env"]: _raw(getattr(self, f.name)) for f in fields(self) if "env" in f.metadata}
        return {**self.env, **{k: v for k, v in own.items() if v is not None}}

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "newswatch.sqlite3"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read every option (and each component's) from `env`; unset or empty means the default.

        Raises ValueError naming the variable when a value does not parse.
        """
        values: dict[str, Any] = {}
        for f in fields(cls):
            if "component" in f.metadata:
                values[f.name] = f.metadata["component"](env)
                continue
            name = f.metadata["env"]
            raw = env.get(name, "")
            if raw == "" and f.default is not MISSING:
                continue
            try:
                values[f.name] = f.metadata["parse"](raw)
            except ValueError as exc:
                raise ValueError(f"{name}={raw!r}: {exc}") from exc
        settings = cls(**values)
        # One variable, one parser: the SSRF policy follows NEWSWATCH_WEBHOOK_ALLOW_PRIVATE as read here.
        ssrf = replace(settings.delivery.ssrf, allow_private=settings.webhook_allow_private)
        return replace(settings, delivery=replace(settings.delivery, ssrf=ssrf))

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some options replaced (command-line flags win over the environment)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _raw(value: Any) -> str | None:
    """A value as its environment variable would spell it."""
    if value is None:
        return None
    return str(int(value)) if isinstance(value, bool) else str(value)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


def option_table() -> str:
    """The options as a Markdown table (variable, default, meaning)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for f in fields(Settings):
        if "env" not in f.metadata:
            continue
        default = "(unset)" if f.default is None else f"`{_show(f.default)}`"
        rows.append(f"| `{f.metadata['env']}` | {default} | {f.metadata['doc']} |")
    return "\n".join(rows)
