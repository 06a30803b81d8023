"""The embedded pipeline thread: commit only what was handed off, dead-letter invalid input, never skip."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from newswatch.compose import Services
from newswatch.config import Settings
from newswatch.domain.model import Analysis, Article
from newswatch.domain.stages import StageTimer, untimed
from newswatch.observability.metrics import Metrics
from newswatch.pipeline import NoAlerts, Pipeline
from newswatch.runtime.embedded_loop import PipelineLoop
from newswatch.store.analyses import SQLiteAnalyses
from newswatch.store.api_keys import SQLiteApiKeys
from newswatch.store.dead_letters import SQLiteDeadLetters
from newswatch.store.sqlite import SQLiteDB
from newswatch.transport.base import Envelope, Position

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def env(offset: int, payload: bytes) -> Envelope:
    return Envelope(payload, Position("articles", 0, offset))


def good(offset: int) -> Envelope:
    return env(offset, json.dumps({"id": f"a{offset}", "body": "The harbour reopened today."}).encode())


class ListConsumer:
    """Hands out one batch, then nothing; records commits."""

    def __init__(self, batch: list[Envelope]) -> None:
        self.batch, self.closed = batch, False
        self.commits: list[list[Position]] = []

    def poll(self, timeout_s: float, max_records: int) -> list[Envelope]:
        batch, self.batch = self.batch, []
        return batch

    def commit(self, positions: list[Position]) -> None:
        self.commits.append(positions)

    def close(self) -> None:
        self.closed = True


class EmptyAnalyzer:
    """The loop does not care what the analysis says (and the real tables take seconds to load)."""

    def analyze(self, article: Article, timer: StageTimer = untimed) -> Analysis:
        return Analysis(article_id=article.id, topics=(), regions=(), events=())


class FlakyAnalyses(SQLiteAnalyses):
    """Fails the first `failures` writes, as a store that is briefly down would."""

    def __init__(self, db: SQLiteDB, failures: int) -> None:
        super().__init__(db)
        self.failures = failures

    def put(self, article_id: str, analysis: dict[str, Any]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("store down")
        super().put(article_id, analysis)


@pytest.fixture
def db(tmp_path: Path) -> Any:
    db = SQLiteDB(tmp_path / "s.sqlite3")
    yield db
    db.close()


def services(db: SQLiteDB, analyses: SQLiteAnalyses | None = None) -> Services:
    return Services(
        settings=Settings(),
        producer=None,  # type: ignore[arg-type]  # the loop never produces
        ingest_lock=threading.Lock(),
        dead_letters=SQLiteDeadLetters(db),
        analyses=analyses or SQLiteAnalyses(db),
        api_keys=SQLiteApiKeys(db),
        metrics=Metrics(CollectorRegistry()),
        clock=lambda: NOW,
    )


def loop(s: Services, consumer: ListConsumer) -> PipelineLoop:
    pipeline = Pipeline(EmptyAnalyzer(), NoAlerts())  # type: ignore[arg-type]
    return PipelineLoop(s, pipeline, consumer, retry_first_s=0.001)


def test_a_batch_is_analysed_then_committed_up_to_its_last_position(db: SQLiteDB) -> None:
    s, consumer = services(db), ListConsumer([good(0), good(1), good(2)])
    assert loop(s, consumer)._process(consumer.poll(0, 10)) == [Position("articles", 0, 2)]
    assert s.analyses.count() == 3


def test_invalid_input_is_dead_lettered_with_its_position_and_committed(db: SQLiteDB) -> None:
    s, consumer = services(db), ListConsumer([good(0), env(1, b"{not json"), good(2)])
    assert loop(s, consumer)._process(consumer.poll(0, 10)) == [Position("articles", 0, 2)]
    (letter,) = s.dead_letters.recent()
    assert letter["reason"] == "decode_error"
    assert letter["source"] == {"transport": "embedded", "topic": "articles", "partition": 0, "offset": 1}
    assert s.analyses.count() == 2


def test_a_failing_store_is_retried_and_nothing_is_skipped(db: SQLiteDB) -> None:
    s = services(db, FlakyAnalyses(db, failures=3))
    consumer = ListConsumer([good(0), good(1)])
    assert loop(s, consumer)._process(consumer.poll(0, 10)) == [Position("articles", 0, 1)]
    assert s.analyses.count() == 2


def test_stop_while_retrying_commits_only_what_was_handed_off(db: SQLiteDB) -> None:
    consumer = ListConsumer([good(0), good(1), good(2)])
    the_loop: list[PipelineLoop] = []
    analyses = FlakyAnalyses(db, failures=0)
    s = services(db, analyses)
    the_loop.append(loop(s, consumer))
    original_put = analyses.put

    def put(article_id: str, analysis: dict[str, Any]) -> None:
        if article_id == "a1":  # the second message never succeeds; shutdown is requested meanwhile
            the_loop[0].stop.set()
            raise ConnectionError("store down")
        original_put(article_id, analysis)

    analyses.put = put  # type: ignore[method-assign]
    the_loop[0].run()
    assert consumer.commits == [[Position("articles", 0, 0)]]  # a1 and a2 will be redelivered
    assert consumer.closed


def test_the_loop_prunes_the_queue_now_and_then(db: SQLiteDB, monkeypatch: pytest.MonkeyPatch) -> None:
    import newswatch.runtime.embedded_loop as embedded_loop

    calls: list[int] = []
    s = services(db)

    def prune_queue() -> int:
        calls.append(1)
        return 5

    s.prune_queue = prune_queue
    consumer = ListConsumer([good(0)])
    the_loop = loop(s, consumer)
    monkeypatch.setattr(embedded_loop, "PRUNE_EVERY_S", 0.0)  # every round, for the test
    original_flush = the_loop._flush_held

    def stop_after_first_round() -> None:
        original_flush()
        the_loop.stop.set()

    the_loop._flush_held = stop_after_first_round  # type: ignore[method-assign]
    the_loop.run()
    assert calls == [1] and consumer.commits == [[Position("articles", 0, 0)]]
