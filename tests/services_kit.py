"""`Services` for tests that serve or loop over part of the system without `compose.build`.

Every field is filled (Services has no optional parts): SQLite stores on the
test's database, a dispatcher that records what it was given, no alerts planned.
Tests override the fields they exercise with `dataclasses.replace` or keywords.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry

from newswatch.compose import Services
from newswatch.config import Settings
from newswatch.domain.outcome import AlertDraft
from newswatch.observability.metrics import Metrics
from newswatch.pipeline import NoAlerts
from newswatch.store.alerts_sqlite import SQLiteAlerts, SQLiteSubscriptions
from newswatch.store.alerts_sqlite_stories import SQLiteStories
from newswatch.store.analyses import SQLiteAnalyses
from newswatch.store.api_keys import SQLiteApiKeys
from newswatch.store.dead_letters import SQLiteDeadLetters
from newswatch.store.delivery_log_sqlite import SQLiteDeliveryLog
from newswatch.store.sqlite import SQLiteDB
from newswatch.transport.base import Consumer


@dataclass
class RecordingDispatcher:
    enqueued: list[str] = field(default_factory=list)

    def enqueue(self, alert_id: str) -> None:
        self.enqueued.append(alert_id)

    def close(self) -> None:
        pass


def no_consumer() -> Consumer:
    raise AssertionError("this test reads no ingest queue through Services")


def no_background(**fields: Any) -> dict[str, Any]:
    """The Services fields of the loops a test does not run (no ingest queue, held alerts, pruning,
    backlog sampling, readiness checks or closers), with `fields` added."""
    return dict(
        flush_held=lambda now: (),
        make_consumer=no_consumer,
        prune_queue=lambda: 0,
        sample_backlog=lambda: None,
        readiness={},
        closers=[],
        **fields,
    )


def sqlite_services(db: SQLiteDB, **fields: Any) -> Services:
    """Services over `db`; `fields` replace any of them (settings, producer, clock, ...)."""
    drafts: list[AlertDraft] = []
    parts: dict[str, Any] = dict(
        settings=Settings(),
        producer=None,  # these tests produce nothing unless they pass a producer
        ingest_lock=threading.Lock(),
        dead_letters=SQLiteDeadLetters(db),
        analyses=SQLiteAnalyses(db),
        api_keys=SQLiteApiKeys(db),
        metrics=Metrics(CollectorRegistry()),
        planner=NoAlerts(),
        subscriptions=SQLiteSubscriptions(db),
        alerts=SQLiteAlerts(db),
        stories=SQLiteStories(db),
        deliveries=SQLiteDeliveryLog(db),
        dispatcher=RecordingDispatcher(),
        **no_background(alert_sink=drafts.append),
    )
    parts.update(fields)
    return Services(**parts)
