"""`newswatch worker` as a subprocess on real Kafka: analyses out, dead letters, SIGTERM, SIGKILL.

Each test gets its own topics and consumer group, so it can share the broker with other sessions.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from bench.kafka_articles import INVALID, articles
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from newswatch.alerts.ports import Filters, Subscription, Webhook
from newswatch.contracts.schemas import schema_errors
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.redis import Keys, client_from_url
from tests.integration.kafka_kit import committed_total, end_offsets_total

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

N_ARTICLES = 1000
ARTICLE_SIZE = 800  # bytes of body: the analyzer's speed is not under test here


@dataclass
class Topics:
    articles: str
    dlq: str
    analyses: str
    group: str


@pytest.fixture
def topics(unique_topic: Callable[..., str]) -> Topics:
    return Topics(
        articles=unique_topic("articles", partitions=4),
        dlq=unique_topic("dlq", partitions=1),
        analyses=unique_topic("analyses", partitions=4),
        group=f"test-worker-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture
def start_worker(
    kafka_bootstrap: str, redis_url: str, redis_prefix: str, topics: Topics
) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    # The worker's alert planner and delivery queue live in Redis: a test db and key prefix of its own.
    env = {**os.environ, "NEWSWATCH_REDIS_URL": redis_url, "NEWSWATCH_REDIS_PREFIX": redis_prefix}
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        args = ["--bootstrap", kafka_bootstrap, "--group", topics.group, "--topic", topics.articles]
        args += ["--dlq-topic", topics.dlq, "--analyses-topic", topics.analyses]
        proc = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "worker", *args, "--max-records", "50"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        if proc.stderr:
            proc.stderr.close()


def produce(
    bootstrap: str, topic: str, messages: list[bytes], per_second: float | None = None
) -> list[tuple[int, int]]:
    """Produce in order (paced if asked); return each message's (partition, offset)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    futures = []
    for i, payload in enumerate(messages):
        futures.append(producer.send(topic, payload, key=str(i).encode()))
        if per_second:
            time.sleep(1 / per_second)
    producer.flush()
    producer.close()
    return [(m.partition, m.offset) for m in (f.get(10) for f in futures)]


class TopicReader:
    """Reads a whole topic from the start without a group; `read()` returns what arrived since."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
        parts = [TopicPartition(topic, p) for p in sorted(self._c.partitions_for_topic(topic) or ())]
        self._c.assign(parts)
        self._c.seek_to_beginning(*parts)

    def read(self, timeout_s: float = 0.5) -> list[bytes]:
        batches = self._c.poll(timeout_ms=int(timeout_s * 1000), max_records=5000)
        return [r.value for records in batches.values() for r in records]

    def until(
        self, done: Callable[[list[bytes]], bool], got: list[bytes], timeout_s: float = 120.0
    ) -> list[bytes]:
        deadline = time.monotonic() + timeout_s
        while not done(got) and time.monotonic() < deadline:
            got.extend(self.read())
        return got

    def close(self) -> None:
        self._c.close()


def ids(analyses: list[bytes]) -> set[str]:
    return {json.loads(a)["id"] for a in analyses}


def test_worker_analyses_valid_articles_dead_letters_invalid_ones_and_drains_on_sigterm(
    kafka_bootstrap: str, topics: Topics, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    valid = articles(N_ARTICLES, seed=11, size=ARTICLE_SIZE, prefix="w")
    messages = list(valid)
    for k, (raw, _reason) in enumerate(INVALID):  # spread through the stream
        messages.insert(100 + k * 200, raw)
    positions = produce(kafka_bootstrap, topics.articles, messages)
    worker = start_worker()

    analyses = TopicReader(kafka_bootstrap, topics.analyses)
    got = analyses.until(lambda g: len(ids(g)) >= N_ARTICLES, [])
    dlq = TopicReader(kafka_bootstrap, topics.dlq).until(lambda g: len(g) >= len(INVALID), [])
    analyses.close()

    assert ids(got) == {f"w-{i}" for i in range(N_ARTICLES)}
    assert all(schema_errors("analysis", json.loads(a)) == [] for a in got)
    records = [json.loads(d) for d in dlq]
    assert all(schema_errors("dead-letter", r) == [] for r in records)
    by_original = {base64.b64decode(r["original"]): r for r in records}
    for k, (raw, reason) in enumerate(INVALID):
        record = by_original[raw]  # the original bytes, exactly
        partition, offset = positions[100 + k * 200]
        assert record["reason"] == reason
        assert record["detail"]
        assert record["source"] == {
            "transport": "kafka",
            "topic": topics.articles,
            "partition": partition,
            "offset": offset,
        }

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(20) == 0, worker.stderr.read().decode()[-3000:] if worker.stderr else ""
    assert committed_total(kafka_bootstrap, topics.group, topics.articles) == len(messages)


def test_poison_messages_are_dead_lettered_and_never_freeze_the_partition(
    kafka_bootstrap: str,
    unique_topic: Callable[..., str],
    topics: Topics,
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    """One partition: each bad message sits in front of valid ones, which must all come through once."""
    topics.articles = unique_topic("articles-1p", partitions=1)
    big = b'{"id": "big", "body": ' + b'"' + b"a" * 800_000 + b'", "extra": 1' + b"}"  # schema_invalid
    bad: list[tuple[bytes | None, str]] = [
        (None, "decode_error"),  # a tombstone
        (b"[" * 1000 + b"]" * 1000, "decode_error"),  # nested too deep (it made explaining recurse)
        (b'{"a":' * 1000 + b"1" + b"}" * 1000, "decode_error"),
        (b"\xff" * 780_000, "decode_error"),  # ~780 KB: its base64 alone passed the 1 MB request limit
        (big, "schema_invalid"),  # 800 KB whose schema error quotes the body
    ]
    valid = articles(20, seed=13, size=ARTICLE_SIZE, prefix="p")
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", max_request_size=2_000_000)
    for i, (raw, _reason) in enumerate(bad):
        for j in range(4 * i, 4 * i + 4):
            producer.send(topics.articles, valid[j], key=f"p-{j}".encode())
        producer.send(topics.articles, raw, key=f"bad-{i}".encode())
    producer.flush()
    producer.close()
    worker = start_worker()

    analyses = TopicReader(kafka_bootstrap, topics.analyses)
    got = analyses.until(lambda g: len(ids(g)) >= 20, [], timeout_s=120)
    dlq = TopicReader(kafka_bootstrap, topics.dlq).until(lambda g: len(g) >= len(bad), [], timeout_s=30)
    analyses.close()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(20) == 0
    assert sorted(json.loads(a)["id"] for a in got) == sorted(f"p-{i}" for i in range(20))  # each once
    records = [json.loads(d) for d in dlq]
    assert len(records) == len(bad)
    for (raw, reason), record in zip(bad, sorted(records, key=lambda r: r["source"]["offset"]), strict=True):
        original = raw or b""
        assert schema_errors("dead-letter", record) == []
        assert record["reason"] == reason and record["detail"]
        assert record["original_size"] == len(original)
        assert record["original_sha256"] == hashlib.sha256(original).hexdigest()
        assert original.startswith(base64.b64decode(record["original"]))
        assert record["original_truncated"] is (len(original) > 512 * 1024)
    assert committed_total(kafka_bootstrap, topics.group, topics.articles) == 20 + len(bad)


def test_worker_killed_mid_stream_and_restarted_loses_no_article(
    kafka_bootstrap: str, topics: Topics, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    valid = articles(N_ARTICLES, seed=12, size=ARTICLE_SIZE, prefix="k")
    produce(kafka_bootstrap, topics.articles, valid[:100])
    worker = start_worker()
    analyses = TopicReader(kafka_bootstrap, topics.analyses)
    got = analyses.until(lambda g: len(ids(g)) >= 50, [], timeout_s=60)  # up and working
    # The rest as a steady stream over ~4.5 s; the kill lands once the worker is analysing it, while
    # articles still arrive.
    sender = threading.Thread(target=produce, args=(kafka_bootstrap, topics.articles, valid[100:], 200.0))
    sender.start()
    got = analyses.until(lambda g: len(ids(g)) > 100, got, timeout_s=60)
    worker.send_signal(signal.SIGKILL)
    assert worker.wait(10) == -signal.SIGKILL
    assert sender.is_alive()  # it really died mid-stream

    restarted = start_worker()
    got = analyses.until(lambda g: len(ids(g)) >= N_ARTICLES, got)
    sender.join()
    analyses.close()
    assert ids(got) == {f"k-{i}" for i in range(N_ARTICLES)}  # each at least once
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(20) == 0


UA_BODY = (
    "Artillery fire hit the outskirts of Kharkiv on {day}, and {n} buildings were reported damaged. "
    "Power was cut to about {homes} homes in Kharkiv after a substation was struck, the grid operator said."
)
FR_BODY = "Thousands of people marched through central Lyon on {day} to protest against the new fuel tax."


def test_worker_hands_alerts_of_matching_articles_to_delivery(
    kafka_bootstrap: str,
    redis_url: str,
    redis_prefix: str,
    topics: Topics,
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    client = client_from_url(redis_url)
    subs, alerts = RedisSubscriptions(client, Keys(redis_prefix)), RedisAlerts(client, Keys(redis_prefix))
    for sub_id, region in (("sub_ua", "UA"), ("sub_jp", "JP")):
        hook = Webhook(f"https://hooks.example/{sub_id}")
        subs.create(
            Subscription(sub_id, "acme", region, Filters(regions=(region,)), hook, "whsec_dGVzdHNlY3JldA==")
        )
    days = ("Monday", "Tuesday", "Wednesday")
    ua = [
        {"id": f"ua-{i}", "body": UA_BODY.format(day=d, n=10 + i, homes=900 + i)} for i, d in enumerate(days)
    ]
    fr = [{"id": f"fr-{i}", "body": FR_BODY.format(day=d)} for i, d in enumerate(days)]
    produce(kafka_bootstrap, topics.articles, [json.dumps(a).encode() for a in ua + fr])
    worker = start_worker()

    deadline = time.monotonic() + 120
    while not alerts.list_alerts(tenant="acme").items and time.monotonic() < deadline:
        time.sleep(0.5)
    TopicReader(kafka_bootstrap, topics.analyses).until(lambda g: len(ids(g)) >= 6, [])  # all processed
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(20) == 0

    stored = alerts.list_alerts(tenant="acme").items
    assert stored, "no alert for the Kharkiv articles"
    assert {a.subscription_id for a in stored} == {"sub_ua"}  # nothing for the Japan subscription
    assert all(schema_errors("alert", a.payload) == [] and a.status == "pending" for a in stored)
    queued = [k for k in client.scan_iter(match=f"{redis_prefix}*") if client.type(k) == b"list"]
    assert sum(client.llen(k) for k in queued) >= len(stored)  # delivery tasks waiting in Celery's queue
    client.close()


def test_sigterm_during_start_up_exits_0(
    kafka_bootstrap: str, topics: Topics, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    worker = start_worker()
    assert worker.stderr is not None
    seen = b""
    while b"worker: starting" not in seen:  # logged before the tables load and the clients connect
        line = worker.stderr.readline()
        assert line, f"exited {worker.wait()} before starting: {seen.decode()[-2000:]}"
        seen += line
    worker.send_signal(signal.SIGTERM)
    code = worker.wait(60)
    rest = worker.stderr.read()
    assert code == 0, (seen + rest).decode()[-3000:]
    assert b"worker: group" not in seen + rest  # it stopped before joining the group


def test_worker_processes_share_the_group_and_stop_together(
    kafka_bootstrap: str, redis_url: str, redis_prefix: str, topics: Topics
) -> None:
    from kafka.admin import KafkaAdminClient

    valid = articles(400, seed=14, size=ARTICLE_SIZE, prefix="m")
    produce(kafka_bootstrap, topics.articles, valid)
    env = {**os.environ, "NEWSWATCH_REDIS_URL": redis_url, "NEWSWATCH_REDIS_PREFIX": redis_prefix}
    args = ["--bootstrap", kafka_bootstrap, "--group", topics.group, "--topic", topics.articles]
    args += ["--dlq-topic", topics.dlq, "--analyses-topic", topics.analyses]
    parent = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "worker", *args, "--processes", "2"],
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        analyses = TopicReader(kafka_bootstrap, topics.analyses)
        got = analyses.until(lambda g: len(ids(g)) >= len(valid), [])
        analyses.close()
        assert ids(got) == {f"m-{i}" for i in range(len(valid))}
        admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        deadline = time.monotonic() + 60
        members: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            group = admin.describe_groups([topics.group])[topics.group]
            members = group["members"]
            if len(members) == 2 and group["group_state"] == "Stable":
                break
            time.sleep(0.2)
        admin.close()
        assigned = [
            len(p["partitions"]) for m in members for p in m["member_assignment"]["assigned_partitions"]
        ]
        assert len(members) == 2 and assigned == [2, 2]  # two processes, one group, 4 partitions
    finally:
        parent.send_signal(signal.SIGTERM)
        code = parent.wait(60)
        stderr = parent.stderr.read().decode() if parent.stderr else ""
        if parent.stderr:
            parent.stderr.close()
    assert code == 0, stderr[-3000:]
    assert committed_total(kafka_bootstrap, topics.group, topics.articles) == len(valid)


# ------------------------------------------------------------------ fuzzing through Kafka

# How many generated bad messages the fuzz test sends: a few hundred in `make test`, 10,000 in
# `make fuzz` (NEWSWATCH_KAFKA_FUZZ_MESSAGES).
KAFKA_FUZZ_MESSAGES = int(os.environ.get("NEWSWATCH_KAFKA_FUZZ_MESSAGES", "300"))


def _json_values() -> Any:
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )


def bad_messages() -> Any:
    """Messages no article can be made of: bytes, JSON of every wrong shape, deep nesting, big
    bodies (up to 200 KB here; the poison test above sends the ~800 KB ones), lone surrogates, NaN,
    tombstones."""
    from hypothesis import strategies as st

    depth = st.integers(min_value=65, max_value=5000)
    return st.one_of(
        st.none(),  # a tombstone
        st.binary(max_size=300),
        _json_values().map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries(
            {
                "id": st.integers() | st.none() | st.lists(st.integers(), max_size=2),
                "body": st.text(max_size=30),
            }
        ).map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries({"id": st.text(min_size=1, max_size=10)}).map(
            lambda v: json.dumps(v).encode()
        ),  # no body
        depth.map(lambda n: b"[" * n + b"]" * n),
        depth.map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
        st.sampled_from(
            [
                b'{"id": "x", "body": "y", "n": NaN}',
                b'{"id": "x", "body": Infinity}',
                b'{"id": "x", "body": 1e400}',
            ]
        ),
        st.integers(min_value=0xD800, max_value=0xDFFF).map(lambda c: b'{"id": "s", "body": "\\u%04x"}' % c),
        st.integers(min_value=0xD800, max_value=0xDFFF).map(
            lambda c: b'{"id": "s", "body": "' + chr(c).encode("utf-8", "surrogatepass") + b'"}'
        ),
        st.integers(min_value=1, max_value=200).map(
            lambda kb: b'{"id": "big", "body": "' + b"x" * (kb * 1024) + b'", "bad": 1}'
        ),
    )


def _is_article(raw: bytes | None) -> bool:
    from newswatch.contracts.articles import decode_json, validate_article
    from newswatch.domain.errors import InvalidMessage

    try:
        validate_article(decode_json(raw))
    except InvalidMessage:
        return False
    return True


def generated_bad_messages(n: int) -> list[bytes | None]:
    """`n` distinct messages drawn from `bad_messages()` by hypothesis (anything that happens to be a
    valid article is left out: it would rightly be analysed)."""
    from hypothesis import HealthCheck, given, settings

    drawn: list[bytes | None] = []

    @settings(max_examples=n * 2, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(bad_messages())
    def draw(raw: bytes | None) -> None:
        if len(drawn) < n and not _is_article(raw):
            drawn.append(raw)

    draw()
    return drawn


def test_generated_bad_messages_are_all_dead_lettered_with_a_reason(
    kafka_bootstrap: str,
    unique_topic: Callable[..., str],
    topics: Topics,
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    bad = generated_bad_messages(KAFKA_FUZZ_MESSAGES)
    assert len(bad) >= KAFKA_FUZZ_MESSAGES * 0.9, len(bad)
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", max_request_size=2_000_000, linger_ms=20
    )
    for i, raw in enumerate(bad):
        producer.send(topics.articles, raw, key=f"bad-{i}".encode())
    producer.flush()
    producer.close()
    worker = start_worker()

    reader = TopicReader(kafka_bootstrap, topics.dlq)
    dlq = reader.until(lambda g: len(g) >= len(bad), [], timeout_s=300)
    reader.close()
    deadline = time.monotonic() + 60  # the commit follows the dead letters' flush
    while (committed := committed_total(kafka_bootstrap, topics.group, topics.articles)) < len(bad):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    records = [json.loads(d) for d in dlq]
    reasons: dict[str, int] = {}
    for record in records:
        assert schema_errors("dead-letter", record) == [] and record["reason"] and record["detail"]
        reasons[record["reason"]] = reasons.get(record["reason"], 0) + 1
    print(f"\n{len(bad)} generated bad messages via Kafka: {len(records)} dead-lettered, {reasons}")
    assert len(records) == len(bad)  # 100 %: none analysed, none lost, none twice
    assert committed == len(bad)  # and no partition froze behind one of them
    # The worker stopped cleanly, so whatever it produced was flushed before its last commit.
    assert end_offsets_total(kafka_bootstrap, topics.analyses) == 0
