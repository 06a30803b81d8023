"""Shared fixtures: the local Kafka and Redis servers, and per-test isolation on them.

Servers: `kafka_bootstrap` and `redis_url` are session-scoped strings. When nothing answers on the
port they run `deploy/local/servers.sh start kafka|redis` once (first run fetches Kafka's jars with
Maven, ~1 min; afterwards ~10 s). Ports follow NEWSWATCH_KAFKA_PORT / NEWSWATCH_REDIS_PORT.
Tests that use them are marked `kafka` / `redis` automatically, and those in tests/integration and
tests/chaos `integration` (`make test-unit` deselects all three).

Isolation: many test sessions may share one broker and one Redis at the same time, so nothing here
flushes a database or deletes a topic it did not create.
- `unique_topic(name="t", partitions=1) -> str`: a freshly created topic, deleted after the test.
- `redis_prefix`: a unique key prefix ("newswatch-test:<hex>:"); keys under it are deleted after
  the test. Build keys as f"{redis_prefix}..." (stores take the prefix as a constructor argument).
- `redis_client`: a `redis.Redis` on `redis_url`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newswatch.analysis.engine import Analyzer
from newswatch.analysis.events.detector import EventDetector
from newswatch.analysis.regions import RegionResolver
from newswatch.analysis.topics import TopicClassifier

# kafka-python 3.0 loads its protocol schemas with importlib.resources.read_text/open_text at import,
# which Python 3.11 flags as deprecated; with filterwarnings=error that would fail collection of any
# module importing kafka. Import it once here with that one warning silenced (not our code to fix).
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "(read|open)_text is deprecated", DeprecationWarning)
    import kafka.admin  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
SERVERS = ROOT / "deploy" / "local" / "servers.sh"
KAFKA_PORT = int(os.environ.get("NEWSWATCH_KAFKA_PORT", "9092"))
REDIS_PORT = int(os.environ.get("NEWSWATCH_REDIS_PORT", "6379"))
# Tests keep off db 0, which a developer's `newswatch run` / worker uses by default.
REDIS_TEST_DB = int(os.environ.get("NEWSWATCH_TEST_REDIS_DB", "9"))


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _ensure_server(which: str, port: int) -> None:
    if _port_open(port):
        return
    # servers.sh waits for readiness itself (a metadata request / PING), and is idempotent.
    subprocess.run([str(SERVERS), "start", which], check=True, timeout=600)


# Tests that start processes, servers or listeners; `make test-unit` leaves them out, `make test` runs them.
INTEGRATION_DIRS = (ROOT / "tests" / "integration", ROOT / "tests" / "chaos")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.path.is_relative_to(d) for d in INTEGRATION_DIRS):
            item.add_marker(pytest.mark.integration)
        names = getattr(item, "fixturenames", ())
        if "kafka_bootstrap" in names:
            item.add_marker(pytest.mark.kafka)
        if "redis_url" in names:
            item.add_marker(pytest.mark.redis)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """ "127.0.0.1:PORT" of a running broker (auto-created topics have 4 partitions)."""
    _ensure_server("kafka", KAFKA_PORT)
    return f"127.0.0.1:{KAFKA_PORT}"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """ "redis://127.0.0.1:PORT/N", N a db reserved for tests but shared: isolate with `redis_prefix`."""
    _ensure_server("redis", REDIS_PORT)
    return f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_TEST_DB}"


@pytest.fixture
def unique_topic(kafka_bootstrap: str) -> Iterator[Callable[..., str]]:
    """Factory: `unique_topic(name="t", partitions=1)` creates a new topic and returns its name."""
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="newswatch-tests")
    created: list[str] = []

    def make(name: str = "t", partitions: int = 1) -> str:
        topic = f"test.{name}.{uuid.uuid4().hex[:10]}"
        admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
        _wait_for_leaders(admin, topic, partitions)
        created.append(topic)
        return topic

    yield make
    if created:
        admin.delete_topics(created)
    admin.close()


def _wait_for_leaders(admin: object, topic: str, partitions: int, timeout_s: float = 15.0) -> None:
    """create_topics returns before every partition has a leader; producing earlier gets errors."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        (meta,) = admin.describe_topics([topic])  # type: ignore[attr-defined]
        ready = [p for p in meta.get("partitions", []) if p.get("leader_id", p.get("leader", -1)) >= 0]
        if meta.get("error_code", 1) == 0 and len(ready) == partitions:
            return
        time.sleep(0.1)
    raise TimeoutError(f"topic {topic} has no leaders after {timeout_s}s")


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other test uses; its keys are removed after the test."""
    import redis

    prefix = f"newswatch-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[object]:
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


# The analysis tables take seconds to compile: every test shares one copy of each (they are immutable).
@pytest.fixture(scope="session")
def detector() -> EventDetector:
    return EventDetector.load()


@pytest.fixture(scope="session")
def topic_classifier() -> TopicClassifier:
    return TopicClassifier.load()


@pytest.fixture(scope="session")
def resolver() -> RegionResolver:
    return RegionResolver.load()


@pytest.fixture(scope="session")
def analyzer(
    detector: EventDetector, topic_classifier: TopicClassifier, resolver: RegionResolver
) -> Analyzer:
    return Analyzer(events=detector, topics=topic_classifier, regions=resolver)
