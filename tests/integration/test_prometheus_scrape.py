"""A real Prometheus scrapes a running newswatch process and sees its counters move.

Starts Debian's `prometheus` on 127.0.0.1 (1 s scrape and rule interval, temp
storage, the repo's recording rules loaded) against `newswatch run` (articles
in through the HTTP API) and against `newswatch worker` (articles in through
real Kafka), then asks Prometheus's query API.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration._prometheus import free_port, http_get, prometheus_factory, query, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

VALID = [
    {
        "id": f"scrape-{i}",
        "title": f"Harbour report {i}",
        "body": f"Ferry number {i} left the quay on time today.",
    }
    for i in range(20)
]
INVALID = [{"id": "scrape-bad-1"}, {"id": "scrape-bad-2", "body": 7}]  # no body; body not a string


def post_json(url: str, body: object) -> int:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _equals(prom: str, expr: str, value: float) -> bool:
    return query(prom, expr) == value


@pytest.fixture
def newswatch_api(tmp_path: Path) -> Iterator[str]:
    """`newswatch run` (embedded) on a free port; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_ADMIN_TOKEN": "scrape-test-admin",
        "NEWSWATCH_BACKEND": "embedded",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path / "newswatch.log").open("w")
    cmd = [sys.executable, "-m", "newswatch", "run", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: http_get(f"{base}/healthz") and proc.poll() is None, 45, "newswatch /healthz")
        yield base
    finally:
        stop(proc)
        log.close()


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[Callable[..., str]]:
    yield from prometheus_factory(tmp_path)


def test_prometheus_sees_the_counters_move(newswatch_api: str, prometheus: Callable[[str], str]) -> None:
    prom = prometheus(newswatch_api.removeprefix("http://"))
    # scraped at least once before any article: the baseline is a real 0, not missing data
    wait_for(lambda: query(prom, 'up{job="newswatch-api"}') == 1, 20, "first scrape")
    wait_for(lambda: query(prom, "newswatch_articles_consumed_total") == 0, 20, "baseline 0")

    assert post_json(f"{newswatch_api}/v1/articles", VALID) == 202
    for bad in INVALID:
        assert post_json(f"{newswatch_api}/v1/articles", bad) == 422

    expect = {
        "newswatch_articles_consumed_total": len(VALID) + len(INVALID),
        'sum(newswatch_articles_invalid_total{reason="schema_invalid"})': len(INVALID),
        "sum(newswatch_articles_dead_lettered_total)": len(INVALID),
        'newswatch_stage_processed_total{stage="hand_off"}': len(VALID),
    }
    for expr, value in expect.items():
        wait_for(functools.partial(_equals, prom, expr, value), 30, f"{expr} == {value}")
    # the repo's recording rules evaluate over the real series
    wait_for(lambda: (query(prom, "newswatch:articles_consumed:rate5m") or 0) > 0, 20, "recorded rate > 0")


@pytest.fixture
def newswatch_worker(
    tmp_path: Path, kafka_bootstrap: str, redis_url: str, redis_prefix: str, unique_topic: Callable[..., str]
) -> Iterator[tuple[str, str]]:
    """`newswatch worker --metrics-port` on a fresh 2-partition topic; yields (metrics target, topic)."""
    topic = unique_topic("scrape", partitions=2)
    port = free_port()
    env = {
        **os.environ,
        "NEWSWATCH_REDIS_URL": redis_url,
        "NEWSWATCH_REDIS_PREFIX": redis_prefix,
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    cmd = [
        *(sys.executable, "-m", "newswatch", "worker", "--bootstrap", kafka_bootstrap),
        *("--group", f"{topic}.group", "--topic", topic, "--dlq-topic", f"{topic}.dlq"),
        *("--analyses-topic", f"{topic}.analyses"),
        *("--metrics-port", str(port)),
    ]
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    target = f"127.0.0.1:{port}"
    try:
        wait_for(lambda: proc.poll() is None and http_get(f"http://{target}/metrics"), 45, "worker /metrics")
        yield target, topic
    finally:
        stop(proc)
        log.close()


def produce(bootstrap: str, topic: str, payloads: list[bytes]) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for i, payload in enumerate(payloads):
        producer.send(topic, payload, key=str(i).encode())
    producer.flush(10)
    producer.close()


def test_prometheus_scrapes_a_kafka_worker(
    newswatch_worker: tuple[str, str], prometheus: Callable[..., str], kafka_bootstrap: str
) -> None:
    target, topic = newswatch_worker
    prom = prometheus(target, job="newswatch-worker")
    wait_for(lambda: query(prom, "newswatch_articles_consumed_total") == 0, 20, "baseline 0")

    bad = [b"\xff\xfe not json", b'{"id": "no-body"}']
    produce(kafka_bootstrap, topic, [json.dumps(a).encode() for a in VALID] + bad)

    lag = f'newswatch_kafka_consumer_lag_messages{{topic="{topic}"}}'
    expect = {
        "newswatch_articles_consumed_total": len(VALID) + len(bad),
        'sum(newswatch_articles_dead_lettered_total{reason=~"decode_error|schema_invalid"})': len(bad),
        f"count({lag})": 2,  # one series per assigned partition
        f"sum({lag})": 0,  # caught up
    }
    for expr, value in expect.items():
        wait_for(functools.partial(_equals, prom, expr, value), 40, f"{expr} == {value}")
    assert (query(prom, 'sum(newswatch_stage_processed_total{stage=~"decode|validate"})') or 0) >= 2 * len(
        VALID
    )
