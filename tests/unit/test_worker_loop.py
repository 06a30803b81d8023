"""The worker loop over the embedded log: what it produces, and that it commits only after a flush."""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft
from newswatch.pipeline import NoAlerts, Pipeline
from newswatch.runtime.worker import Worker, last_positions
from newswatch.runtime.worker_handoff import HeldAlertsFlusher, TopicAlertHandOff
from newswatch.runtime.worker_records import WorkerTopics
from newswatch.transport.base import Envelope, Position
from newswatch.transport.embedded import EmbeddedLog, EmbeddedProducer

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TOPICS = WorkerTopics("in", "in.dlq", "out", "alerts")


class EmptyAnalyzer:
    """The worker's behaviour does not depend on what the analysis says; the real one is slow to load."""

    def analyze(self, article: Article, timer: object = None) -> Analysis:
        return Analysis(article_id=article.id, topics=(), regions=(), events=())


class OneAlertEach:
    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]:
        return (AlertDraft(f"alert-{article.id}", "sub-1", "story.detected", {"n": 1}),)


class FailingFlushes(EmbeddedProducer):
    """Fails the first `n` flushes, as a broker outage would."""

    def __init__(self, log: EmbeddedLog, n: int) -> None:
        super().__init__(log)
        self.failures_left = n

    def flush(self, timeout_s: float | None = None) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("broker unavailable")
        super().flush(timeout_s)


@pytest.fixture
def log(tmp_path: Path) -> EmbeddedLog:
    return EmbeddedLog(tmp_path / "q.sqlite3")


def body(message: Envelope) -> bytes:
    """The payload of a message the worker wrote (never a tombstone)."""
    assert message.payload is not None
    return message.payload


def publish(log: EmbeddedLog, *payloads: bytes) -> None:
    p = log.producer()
    for payload in payloads:
        p.produce("in", payload)
    p.flush()


def article(i: int) -> bytes:
    return json.dumps({"id": f"a{i}", "body": f"Sentence number {i} about nothing much."}).encode()


def worker(log: EmbeddedLog, producer: EmbeddedProducer | None = None, planner: object = None) -> Worker:
    producer = producer or log.producer()
    pipeline = Pipeline(EmptyAnalyzer(), planner or NoAlerts())  # type: ignore[arg-type]
    w = Worker(
        log.consumer("g", ["in"]),
        producer,
        pipeline,
        TopicAlertHandOff(producer, TOPICS),
        TOPICS,
        clock=lambda: NOW,
    )
    return w


def test_each_article_yields_its_analysis_keyed_by_id_then_the_batch_is_committed(log: EmbeddedLog) -> None:
    publish(log, article(1), article(2))
    assert worker(log).step() == 2
    out = log.read("out", 0, 10)
    assert [e.key for e in out] == [b"a1", b"a2"]
    assert [json.loads(body(e))["id"] for e in out] == ["a1", "a2"]
    assert log.committed("g", "in") == 2


def test_invalid_message_becomes_a_dead_letter_with_reason_original_and_position(log: EmbeddedLog) -> None:
    publish(log, article(1), b"{not json")
    worker(log).step()
    (dead,) = log.read("in.dlq", 0, 10)
    record = json.loads(body(dead))
    assert record["reason"] == "decode_error"
    assert base64.b64decode(record["original"]) == b"{not json"
    assert record["source"] == {"transport": "kafka", "topic": "in", "partition": 0, "offset": 1}
    assert record["received_at"] == "2026-01-02T03:04:05Z"
    assert [json.loads(body(e))["id"] for e in log.read("out", 0, 10)] == ["a1"]


def test_alert_drafts_are_produced_to_the_alerts_topic(log: EmbeddedLog) -> None:
    publish(log, article(7))
    worker(log, planner=OneAlertEach()).step()
    (alert,) = log.read("alerts", 0, 10)
    assert alert.key == b"sub-1"
    assert json.loads(body(alert)) == {
        "id": "alert-a7",
        "subscription_id": "sub-1",
        "kind": "story.detected",
        "payload": {"n": 1},
    }


def test_a_failed_flush_leaves_the_batch_uncommitted_and_it_is_retried(log: EmbeddedLog) -> None:
    publish(log, article(1))
    w = worker(log, producer=FailingFlushes(log, n=1))
    w.step()  # first flush fails, the retry after 0.5 s succeeds
    assert log.committed("g", "in") == 1
    assert len(log.read("out", 0, 10)) >= 1


def test_stop_during_retry_exits_without_committing(log: EmbeddedLog) -> None:
    publish(log, article(1))
    w = worker(log, producer=FailingFlushes(log, n=100))
    threading.Timer(0.2, w.stop.set).start()
    w.run()
    assert log.committed("g", "in") == 0  # redelivered to the next worker


def test_run_returns_after_stop_with_everything_committed(log: EmbeddedLog) -> None:
    publish(log, *(article(i) for i in range(30)))
    w = worker(log)
    threading.Timer(1.0, w.stop.set).start()
    w.run()
    assert log.committed("g", "in") == 30
    assert w.processed == 30


@pytest.mark.parametrize(
    ("offsets", "want"),
    [
        ([("t", 0, 1), ("t", 0, 2)], [("t", 0, 2)]),  # last of one partition
        ([("t", 0, 5), ("t", 1, 3), ("t", 0, 6)], [("t", 0, 6), ("t", 1, 3)]),  # one per partition
        ([], []),  # empty batch: nothing to commit
    ],
)
def test_last_positions(offsets: list[tuple[str, int, int]], want: list[tuple[str, int, int]]) -> None:
    batch = [Envelope(b"", Position(*o)) for o in offsets]
    assert last_positions(batch) == [Position(*w) for w in want]


class Held:
    def __init__(self) -> None:
        self.drafts: list[AlertDraft] = []

    def flush_held(self, now: datetime) -> tuple[AlertDraft, ...]:
        assert now == NOW
        return (AlertDraft("held-1", "sub-1", "story.updated"),)


def test_held_alerts_that_fell_due_go_to_the_sink_at_most_every_interval() -> None:
    held = Held()
    flusher = HeldAlertsFlusher(held.flush_held, held.drafts.append, lambda: NOW, every_s=60.0)
    flusher()
    flusher()  # within the interval: nothing asked
    assert [d.id for d in held.drafts] == ["held-1"]


def test_a_failing_held_alert_flush_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def broken(now: datetime) -> tuple[AlertDraft, ...]:
        raise ConnectionError("redis down")

    HeldAlertsFlusher(broken, lambda d: None, lambda: NOW)()
    assert "held alerts" in caplog.text


def test_metrics_count_consumed_dead_lettered_and_planned_alerts(log: EmbeddedLog) -> None:
    from prometheus_client import CollectorRegistry

    from newswatch.metrics import Metrics

    metrics = Metrics(CollectorRegistry())
    producer = log.producer()
    w = Worker(
        log.consumer("g", ["in"]),
        producer,
        Pipeline(EmptyAnalyzer(), OneAlertEach()),  # type: ignore[arg-type]
        TopicAlertHandOff(producer, TOPICS),
        TOPICS,
        clock=lambda: NOW,
        metrics=metrics,
    )
    publish(log, article(1), b"not json", article(2))
    w.step()
    value = metrics.registry.get_sample_value
    assert value("newswatch_articles_consumed_total") == 3
    assert value("newswatch_articles_dead_lettered_total", {"reason": "decode_error"}) == 1
    planned = sum(
        s.value
        for f in metrics.registry.collect()
        for s in f.samples
        if s.name == "newswatch_alerts_total" and s.labels.get("kind") == "detected"
    )
    assert planned == 2
