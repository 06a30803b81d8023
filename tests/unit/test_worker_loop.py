"""The worker loop over the embedded log: what it produces, and that it commits only after a flush."""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft
from newswatch.pipeline import NoAlerts, Pipeline
from newswatch.runtime.core import HeldAlertsFlusher
from newswatch.runtime.worker import Worker, last_positions
from newswatch.runtime.worker_handoff import SinkAlertHandOff
from newswatch.runtime.worker_records import WorkerTopics
from newswatch.transport.base import Envelope, OutRecord, Position, SendFailed
from newswatch.transport.embedded import EmbeddedLog, EmbeddedProducer

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TOPICS = WorkerTopics("in", "in.dlq", "out")


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


RETRY_FIRST_S = 0.01  # the backoff's first wait: how long is not under test here


def worker(
    log: EmbeddedLog,
    producer: EmbeddedProducer | None = None,
    planner: object = None,
    drafts: list[AlertDraft] | None = None,
    *,
    analyzer: object = None,
    hand_off: object = None,
    topics: WorkerTopics = TOPICS,
    **options: Any,
) -> Worker:
    """A worker over `log` (by default: empty analyses, no alerts); the alerts it hands off are
    appended to `drafts` unless `hand_off` replaces that; `options` go to Worker."""
    sink = SinkAlertHandOff((drafts if drafts is not None else []).append)
    return Worker(
        log.consumer("g", ["in"]),
        producer or log.producer(),
        Pipeline(analyzer or EmptyAnalyzer(), planner or NoAlerts()),  # type: ignore[arg-type]
        hand_off or sink,  # type: ignore[arg-type]
        topics,
        clock=lambda: NOW,
        **{"retry_first_s": RETRY_FIRST_S, **options},
    )


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


def test_alert_drafts_are_handed_off_before_the_commit(log: EmbeddedLog) -> None:
    publish(log, article(7))
    drafts: list[AlertDraft] = []
    worker(log, planner=OneAlertEach(), drafts=drafts).step()
    assert drafts == [AlertDraft("alert-a7", "sub-1", "story.detected", {"n": 1})]
    assert log.committed("g", "in") == 1


def test_a_failed_flush_leaves_the_batch_uncommitted_and_it_is_retried(log: EmbeddedLog) -> None:
    publish(log, article(1))
    w = worker(log, producer=FailingFlushes(log, n=1))
    w.step()  # first flush fails, the retry succeeds
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
    runner = threading.Thread(target=w.run)
    runner.start()
    deadline = time.monotonic() + 30
    while w.processed < 30 and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a counter with a deadline
    w.stop.set()
    runner.join(10)
    assert not runner.is_alive()
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

    from newswatch.observability.metrics import Metrics

    metrics = Metrics(CollectorRegistry())
    w = worker(log, planner=OneAlertEach(), metrics=metrics)
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


# ---------------------------------------------------------------- failures: dead letter or retry


class Raising:
    """An analyzer that raises `exc` for the article whose id is `bad_id`."""

    def __init__(self, bad_id: str, exc: BaseException) -> None:
        self.bad_id, self.exc = bad_id, exc

    def analyze(self, article: Article, timer: object = None) -> Analysis:
        if article.id == self.bad_id:
            raise self.exc
        return Analysis(article_id=article.id, topics=(), regions=(), events=())


class PlannerFailing:
    """Raises `exc` for article `bad_id`, `times` times (then plans nothing); counts calls per id."""

    def __init__(self, bad_id: str, exc: BaseException, times: int = 10**9) -> None:
        self.bad_id, self.exc, self.left = bad_id, exc, times
        self.calls: dict[str, int] = {}

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]:
        self.calls[article.id] = self.calls.get(article.id, 0) + 1
        if article.id == self.bad_id and self.left:
            self.left -= 1
            raise self.exc
        return (AlertDraft(f"alert-{article.id}", "sub-1", "story.detected", {"n": 1}),)


def dead_letters(log: EmbeddedLog) -> list[dict[str, object]]:
    return [json.loads(body(e)) for e in log.read("in.dlq", 0, 100) if e.payload is not None]


def out_ids(log: EmbeddedLog) -> list[str]:
    return [json.loads(body(e))["id"] for e in log.read("out", 0, 100) if e.payload is not None]


@pytest.mark.parametrize(
    "exc",
    [
        RecursionError("maximum recursion depth exceeded"),  # deep nesting met deep in the analysis
        KeyError("region"),  # a plain bug
        ValueError("x" * 100_000),  # a bug whose message quotes a whole article
    ],
)
def test_any_exception_of_the_analysis_dead_letters_the_message_and_the_batch_commits(
    log: EmbeddedLog, exc: BaseException
) -> None:
    publish(log, article(1), article(2), article(3))
    w = worker(log, analyzer=Raising("a2", exc))
    assert w.step() == 3
    (record,) = dead_letters(log)
    assert record["reason"] == "analysis_error"
    assert type(exc).__name__ in str(record["detail"]) and len(str(record["detail"])) < 3000
    assert base64.b64decode(str(record["original"])) == article(2)
    assert out_ids(log) == ["a1", "a3"]
    assert log.committed("g", "in") == 3


def test_a_planner_bug_dead_letters_the_article_as_plan_error_but_keeps_its_analysis(
    log: EmbeddedLog,
) -> None:
    publish(log, article(1), article(2))
    drafts: list[AlertDraft] = []
    planner = PlannerFailing("a1", TypeError("bad state"))
    w = worker(log, planner=planner, drafts=drafts)
    w.step()
    (record,) = dead_letters(log)
    assert record["reason"] == "plan_error" and "TypeError" in str(record["detail"])
    assert sorted(out_ids(log)) == ["a1", "a2"]
    assert [d.id for d in drafts] == ["alert-a2"]
    assert log.committed("g", "in") == 2


def test_a_planner_io_error_is_retried_without_planning_or_sending_anything_twice(log: EmbeddedLog) -> None:
    import redis

    publish(log, article(1), article(2), article(3))
    planner = PlannerFailing("a2", redis.ConnectionError("redis down"), times=2)
    drafts: list[AlertDraft] = []
    w = worker(log, planner=planner, drafts=drafts)
    w.step()
    assert dead_letters(log) == []
    assert planner.calls == {"a1": 1, "a2": 3, "a3": 1}  # a1 was not planned again
    assert out_ids(log) == ["a1", "a2", "a3"]  # each analysis once
    assert len(drafts) == 3  # each alert handed off once
    assert log.committed("g", "in") == 3


class FailingHandOff:
    """Fails the first `n` hand-offs (a store down), then hands off to `inner`."""

    def __init__(self, inner: SinkAlertHandOff, n: int) -> None:
        self.inner, self.left, self.calls = inner, n, 0

    def hand_off(self, outcomes: object) -> None:
        self.calls += 1
        if self.left:
            self.left -= 1
            raise ConnectionError("redis down")
        self.inner.hand_off(outcomes)  # type: ignore[arg-type]


def test_a_failed_alert_hand_off_is_retried_without_sending_the_analyses_again(log: EmbeddedLog) -> None:
    publish(log, *(article(i) for i in range(5)))
    drafts: list[AlertDraft] = []
    hand_off = FailingHandOff(SinkAlertHandOff(drafts.append), n=3)
    w = worker(log, planner=OneAlertEach(), hand_off=hand_off)
    w.step()
    assert hand_off.calls == 4
    assert out_ids(log) == [f"a{i}" for i in range(5)]  # 5 records for 5 ids, not 20
    assert len(drafts) == 5
    assert log.committed("g", "in") == 5


class PartlyStored(EmbeddedProducer):
    """The first flush stores every message but those of article `lost` and reports those."""

    def __init__(self, log: EmbeddedLog, lost: bytes) -> None:
        super().__init__(log)
        self.lost, self.failed_once = lost, False

    def flush(self, timeout_s: float | None = None) -> None:
        if not self.failed_once:
            self.failed_once = True
            kept = [m for m in self._buffer if m[1] != self.lost]
            failed = [OutRecord(t, k, p) for t, k, p in self._buffer if k == self.lost]
            self._buffer = kept
            super().flush(timeout_s)
            raise SendFailed("broker refused one", failed)
        super().flush(timeout_s)


def test_a_partly_failed_flush_sends_again_only_what_was_not_stored(log: EmbeddedLog) -> None:
    publish(log, article(1), article(2), article(3))
    producer = PartlyStored(log, lost=b"a2")
    w = worker(log, producer)
    w.step()
    assert sorted(out_ids(log)) == ["a1", "a2", "a3"]  # a2 again, the others once
    assert log.committed("g", "in") == 3


def test_analyses_go_to_the_analysis_store_once_per_batch_and_not_to_kafka_when_the_topic_is_off(
    log: EmbeddedLog, tmp_path: Path
) -> None:
    from newswatch.store.analyses import SQLiteAnalyses
    from newswatch.store.sqlite import SQLiteDB

    store = SQLiteAnalyses(SQLiteDB(tmp_path / "s.sqlite3"))
    publish(log, article(1), article(2))
    w = worker(log, topics=WorkerTopics("in", "in.dlq", None), analyses=store)
    w.step()
    assert log.read("out", 0, 10) == []
    assert store.count() == 2
    assert (store.get("a1") or {})["id"] == "a1"
