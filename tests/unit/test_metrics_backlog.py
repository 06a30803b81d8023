"""Backlog arithmetic (pure) and the probes against in-memory fakes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from newswatch.observability.backlog import (
    CeleryQueueProbe,
    KafkaLagProbe,
    PeriodicSampler,
    TopicPartition,
    partition_lags,
    priority_keys,
    queue_depths,
)
from newswatch.observability.metrics import Metrics

A0, A1 = TopicPartition("articles", 0), TopicPartition("articles", 1)


@pytest.mark.parametrize(
    ("ends", "positions", "expected"),
    [
        ({A0: 10, A1: 5}, {A0: 4, A1: 5}, {A0: 6, A1: 0}),  # plain difference
        ({A0: 10}, {A0: None}, {}),  # no position yet: unknown, not "10 behind"
        ({A0: 3}, {A0: 7}, {A0: 0}),  # stale end offset: never negative
        ({A0: 3}, {}, {}),  # position not asked for
        ({}, {A0: 1}, {}),
    ],
)
def test_partition_lags(ends: dict, positions: dict, expected: dict) -> None:
    assert partition_lags(ends, positions) == expected


def test_priority_keys_follow_kombu_layout() -> None:
    assert priority_keys("deliveries") == [
        "deliveries",
        "deliveries\x06\x163",
        "deliveries\x06\x166",
        "deliveries\x06\x169",
    ]


@pytest.mark.parametrize(
    ("queues", "lengths", "expected"),
    [
        (["a"], [1, 2, 0, 0], {"a": 3}),  # priorities summed
        (["a", "b"], [1, 0, 0, 0, 0, 0, 0, 5], {"a": 1, "b": 5}),
        ([], [], {}),
    ],
)
def test_queue_depths(queues: list, lengths: list, expected: dict) -> None:
    assert queue_depths(queues, lengths) == expected


class FakeConsumer:
    def __init__(self, ends: dict, positions: dict) -> None:
        self.ends, self.positions, self.end_calls = ends, positions, 0

    def assignment(self) -> set:
        return set(self.positions)

    def end_offsets(self, partitions: list) -> dict:
        self.end_calls += 1
        return {tp: self.ends[tp] for tp in partitions}

    def position(self, tp: Any) -> int | None:
        return self.positions[tp]


def lag(m: Metrics, tp: TopicPartition) -> float | None:
    labels = {"topic": tp.topic, "partition": str(tp.partition)}
    return m.registry.get_sample_value("newswatch_kafka_consumer_lag_messages", labels)


def test_lag_probe_sets_and_retires_partition_gauges() -> None:
    m = Metrics(CollectorRegistry())
    consumer = FakeConsumer({A0: 10, A1: 8}, {A0: 4, A1: 8})
    KafkaLagProbe(consumer, m).sample()
    assert (lag(m, A0), lag(m, A1)) == (6, 0)
    probe = KafkaLagProbe(consumer, m)
    probe.sample()
    del consumer.positions[A1]  # revoked in a rebalance
    probe.sample()
    assert (lag(m, A0), lag(m, A1)) == (6, None)


def test_lag_probe_is_throttled_by_its_clock() -> None:
    now = [100.0]
    consumer = FakeConsumer({A0: 1}, {A0: 0})
    probe = KafkaLagProbe(consumer, Metrics(CollectorRegistry()), interval=5.0, clock=lambda: now[0])
    for t in (100.0, 101.0, 104.9, 105.0, 106.0):
        now[0] = t
        probe.maybe_sample()
    assert consumer.end_calls == 2  # at 100 and 105


def test_lag_probe_failure_does_not_raise() -> None:
    class Broken(FakeConsumer):
        def end_offsets(self, partitions: list) -> dict:
            raise TimeoutError("broker away")

    KafkaLagProbe(Broken({}, {A0: 1}), Metrics(CollectorRegistry())).maybe_sample()


class FakeRedis:
    def __init__(self, lists: dict[str, int]) -> None:
        self.lists = lists
        self.calls: list[str] = []

    def pipeline(self, transaction: bool = True) -> FakeRedis:
        self.calls = []
        return self

    def llen(self, key: str) -> None:
        self.calls.append(key)

    def execute(self) -> list[int]:
        return [self.lists.get(k, 0) for k in self.calls]


def test_queue_probe_sets_depth_per_queue() -> None:
    m = Metrics(CollectorRegistry())
    redis = FakeRedis({"deliveries": 2, "deliveries\x06\x169": 1, "retries": 4})
    assert CeleryQueueProbe(redis, ["deliveries", "retries", "idle"], m).sample() == {
        "deliveries": 3,
        "retries": 4,
        "idle": 0,
    }
    assert m.registry.get_sample_value("newswatch_celery_queue_depth_messages", {"queue": "retries"}) == 4


def test_periodic_sampler_survives_failures_and_stops() -> None:
    calls = []
    third = threading.Event()

    def sample() -> None:
        calls.append(1)
        if len(calls) >= 3:
            third.set()
        raise ConnectionError("redis away")

    sampler = PeriodicSampler(sample, interval=0.01).start()
    assert third.wait(5)
    sampler.stop()
    stopped_at = len(calls)
    assert not sampler._thread.is_alive()
    assert len(calls) == stopped_at
