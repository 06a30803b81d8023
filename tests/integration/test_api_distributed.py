"""The same API in the distributed backend: `newswatch run` queues to real Kafka, dead-letters to Redis."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from newswatch.store.api_keys import RedisApiKeys
from newswatch.store.redis import Keys, client_from_url
from tests.integration.embedded_process import EmbeddedProcess

PARTITIONS = 2


@dataclass
class DistributedApi:
    svc: EmbeddedProcess
    topic: str
    prefix: str


@pytest.fixture(scope="module")
def api(
    tmp_path_factory: pytest.TempPathFactory, kafka_bootstrap: str, redis_url: str
) -> Iterator[DistributedApi]:
    """One API process for the module (start-up is the slow part): its own topic and key prefix."""
    tag = uuid.uuid4().hex[:10]
    topic, prefix = f"test.api-articles.{tag}", f"newswatch-test:{tag}:"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="newswatch-tests")
    admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])
    env = {
        "NEWSWATCH_BACKEND": "distributed",
        "NEWSWATCH_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "NEWSWATCH_REDIS_URL": redis_url,
        "NEWSWATCH_REDIS_PREFIX": prefix,
        "NEWSWATCH_ARTICLES_TOPIC": topic,
    }
    svc = EmbeddedProcess(tmp_path_factory.mktemp("distributed-api"), env).start()
    try:
        yield DistributedApi(svc, topic, prefix)
        assert svc.stop() == 0
    finally:
        svc.stop()
        admin.delete_topics([topic])
        admin.close()
        client = client_from_url(redis_url)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        client.close()


def consume(bootstrap: str, topic: str, partitions: int, n: int) -> list[dict[str, object]]:
    """Read the topic from the start without a consumer group (no join/rebalance wait)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
    consumer.seek_to_beginning()
    got: list[dict[str, object]] = []
    try:
        for _ in range(50):
            for records in consumer.poll(timeout_ms=200).values():
                got += [json.loads(r.value) for r in records]
            if len(got) >= n:
                break
    finally:
        consumer.close()
    return got


def test_accepted_articles_are_on_the_kafka_topic_before_the_202(
    api: DistributedApi, kafka_bootstrap: str
) -> None:
    svc, topic = api.svc, api.topic
    batch = [{"id": f"d-{i}", "body": f"The library opened a new wing, number {i}."} for i in range(5)]
    with svc.client(token=None) as c:
        r = c.post("/v1/articles", json=batch)
    assert (r.status_code, r.json()) == (202, {"accepted": 5})
    assert sorted(str(a["id"]) for a in consume(kafka_bootstrap, topic, PARTITIONS, 5)) == [
        f"d-{i}" for i in range(5)
    ]


def test_invalid_articles_are_dead_lettered_in_redis(api: DistributedApi) -> None:
    svc = api.svc
    with svc.client(token=None) as anonymous, svc.client() as admin:
        assert anonymous.post("/v1/articles", json={"id": "no-body"}).status_code == 422
        letters = admin.get("/v1/dead-letters").json()
    assert letters["counts"] == {"schema_invalid": 1}  # a fresh key prefix: only this test's record
    assert letters["recent"][0]["source"] == {"transport": "http"}


def test_api_keys_live_in_redis(api: DistributedApi, redis_url: str) -> None:
    svc = api.svc
    with svc.client() as admin:
        key = admin.post("/v1/api-keys", json={"tenant": "globex"}).json()["key"]
    client = client_from_url(redis_url)
    try:
        assert RedisApiKeys(client, Keys(api.prefix)).tenant_for(key) == "globex"
    finally:
        client.close()


def test_the_worker_stores_analyses_that_the_distributed_api_serves(
    api: DistributedApi, kafka_bootstrap: str, redis_url: str
) -> None:
    """POST through the API, a real `newswatch worker` on the same topic and key prefix, GET the analysis."""
    import os
    import signal
    import subprocess
    import sys

    from tests.integration.embedded_process import wait_for

    svc, tag = api.svc, uuid.uuid4().hex[:8]
    article = {"id": f"an-{tag}", "body": "Flooding closed the main road into the town on Monday."}
    with svc.client(token=None) as c:
        assert c.post("/v1/articles", json=article).status_code == 202
    env = {
        **os.environ,
        "NEWSWATCH_REDIS_URL": redis_url,
        "NEWSWATCH_REDIS_PREFIX": api.prefix,
        "NEWSWATCH_ANALYSES_TTL_SECONDS": "600",
    }
    args = ["--bootstrap", kafka_bootstrap, "--topic", api.topic, "--group", f"test-api-{tag}"]
    args += ["--dlq-topic", f"test.api-dlq.{tag}", "--no-analyses-topic"]
    worker = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "worker", *args], env=env, stderr=subprocess.PIPE
    )
    try:
        with svc.client() as admin:
            found = wait_for(
                lambda: (r := admin.get(f"/v1/analyses/an-{tag}")).status_code == 200 and r.json(),
                120,
                "analysis",
            )
        assert found["id"] == f"an-{tag}" and "topics" in found
        client = client_from_url(redis_url)
        try:
            assert 0 < client.ttl(f"{api.prefix}analysis:an-{tag}") <= 600  # it expires
        finally:
            client.close()
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(30)
        stderr = worker.stderr.read().decode() if worker.stderr else ""
        if worker.stderr:
            worker.stderr.close()
    assert code == 0, stderr[-3000:]
