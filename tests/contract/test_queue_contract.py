"""One contract for the queue interface, run against the embedded SQLite log and real Kafka.

Each backend class supplies `topic()` (a fresh single-partition topic), `producer()` and
`consumer(group, topic)`; the tests only use the protocols of newswatch.transport.base.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newswatch.transport.base import Consumer, Envelope, Producer
from newswatch.transport.embedded import EmbeddedLog
from newswatch.transport.kafka import KafkaQueueConsumer, KafkaQueueProducer


def drain(consumer: Consumer, want: int, deadline_s: float = 20.0, max_records: int = 100) -> list[Envelope]:
    """Poll until `want` messages came (a Kafka consumer first has to join its group)."""
    got: list[Envelope] = []
    deadline = time.monotonic() + deadline_s
    while len(got) < want and time.monotonic() < deadline:
        got.extend(consumer.poll(0.5, max_records))
    return got


class QueueContract:
    closers: list[Callable[[], None]]

    @pytest.fixture(autouse=True)
    def _cleanup(self) -> Iterator[None]:
        self.closers = []
        yield
        for close in reversed(self.closers):
            close()

    def topic(self) -> str:
        raise NotImplementedError

    def make_producer(self) -> Producer:
        raise NotImplementedError

    def make_consumer(self, group: str, topic: str) -> Consumer:
        raise NotImplementedError

    def producer(self) -> Producer:
        p = self.make_producer()
        self.closers.append(p.close)
        return p

    def consumer(self, group: str, topic: str) -> Consumer:
        c = self.make_consumer(group, topic)
        self.closers.append(c.close)
        return c

    def publish(self, topic: str, n: int, keyed: bool = False) -> None:
        p = self.producer()
        for i in range(n):
            p.produce(topic, f"m{i}".encode(), key=f"k{i % 3}".encode() if keyed else None)
        p.flush()

    def test_poll_on_an_empty_topic_returns_an_empty_list_after_the_timeout(self) -> None:
        c = self.consumer("g", self.topic())
        start = time.monotonic()
        assert c.poll(0.3, 10) == []
        assert 0.2 <= time.monotonic() - start < 10

    def test_messages_arrive_in_order_with_keys_and_positions(self) -> None:
        topic = self.topic()
        self.publish(topic, 25, keyed=True)
        got = drain(self.consumer("g", topic), 25)
        assert [e.payload for e in got] == [f"m{i}".encode() for i in range(25)]
        assert [e.key for e in got] == [f"k{i % 3}".encode() for i in range(25)]
        assert [e.position.offset for e in got] == list(range(25))
        assert {(e.position.topic, e.position.partition) for e in got} == {(topic, 0)}
        assert all(e.timestamp_ms and e.timestamp_ms > 1_600_000_000_000 for e in got)

    def test_poll_returns_at_most_max_records(self) -> None:
        topic = self.topic()
        self.publish(topic, 12)
        c = self.consumer("g", topic)
        first = drain(c, 1, max_records=5)
        assert 1 <= len(first) <= 5
        rest = drain(c, 12 - len(first), max_records=5)
        assert [e.payload for e in first + rest] == [f"m{i}".encode() for i in range(12)]

    def test_uncommitted_messages_are_redelivered_after_close_and_reopen(self) -> None:
        topic = self.topic()
        self.publish(topic, 10)
        first = self.make_consumer("g", topic)
        got = drain(first, 10)
        first.commit([got[3].position])  # processed m0..m3 only
        first.close()
        again = drain(self.consumer("g", topic), 6)
        assert [e.payload for e in again] == [f"m{i}".encode() for i in range(4, 10)]

    def test_fully_committed_group_gets_nothing_old_but_new_messages(self) -> None:
        topic = self.topic()
        self.publish(topic, 5)
        first = self.make_consumer("g", topic)
        first.commit([e.position for e in drain(first, 5)])
        first.close()
        second = self.consumer("g", topic)
        self.publish(topic, 1)
        # In order per partition: anything old would come before the new message at offset 5.
        assert [(e.payload, e.position.offset) for e in drain(second, 1)] == [(b"m0", 5)]

    def test_groups_keep_their_own_offsets(self) -> None:
        topic = self.topic()
        self.publish(topic, 4)
        a = self.make_consumer("a", topic)
        a.commit([e.position for e in drain(a, 4)])
        a.close()
        assert len(drain(self.consumer("b", topic), 4)) == 4

    def test_a_blocked_poll_wakes_when_a_message_is_produced(self) -> None:
        topic = self.topic()
        self.publish(topic, 1)
        c = self.consumer("g", topic)
        assert len(drain(c, 1)) == 1  # joined and caught up
        sender = threading.Timer(0.3, self.publish, args=(topic, 1))
        sender.start()
        start = time.monotonic()
        got = c.poll(8.0, 10)
        sender.join()
        assert [e.payload for e in got] == [b"m0"]
        assert time.monotonic() - start < 4.0


class TestEmbeddedQueue(QueueContract):
    @pytest.fixture(autouse=True)
    def _log(self, tmp_path: Path) -> None:
        self.log = EmbeddedLog(tmp_path / "queue.sqlite3")

    def topic(self) -> str:
        return f"t-{uuid.uuid4().hex[:8]}"

    def make_producer(self) -> Producer:
        return self.log.producer()

    def make_consumer(self, group: str, topic: str) -> Consumer:
        return self.log.consumer(group, [topic])

    def test_messages_survive_reopening_the_file(self, tmp_path: Path) -> None:
        self.publish("t", 3)
        reopened = EmbeddedLog(tmp_path / "queue.sqlite3")
        assert [e.payload for e in reopened.consumer("g", ["t"]).poll(0, 10)] == [b"m0", b"m1", b"m2"]

    def test_prune_drops_only_what_every_group_committed_and_offsets_go_on(self) -> None:
        self.publish("t", 5)
        a, b = self.log.consumer("a", ["t"]), self.log.consumer("b", ["t"])
        assert self.log.prune("t") == 0  # nobody committed yet
        self.log.consumer("c", ["t"]).close()  # a reader that never commits holds everything
        assert self.log.prune("t") == 0
        self.log.commit("c", {"t": 5})
        a.commit([e.position for e in a.poll(0, 10)])
        b.commit([b.poll(0, 2)[-1].position])  # b is at offset 2
        assert self.log.prune("t") == 2
        self.publish("t", 1)
        assert [e.position.offset for e in self.log.consumer("b", ["t"]).poll(0, 10)] == [2, 3, 4, 5]

    def test_offsets_go_on_after_a_full_prune_and_a_restart(self, tmp_path: Path) -> None:
        """Numbering never restarts from what is left: a group at N would skip the next N messages."""
        self.publish("t", 3)
        c = self.log.consumer("g", ["t"])
        c.commit([e.position for e in c.poll(0, 10)])
        assert self.log.prune("t") == 3  # the table is empty now
        self.publish("t", 2)
        assert self.log.end_offset("t") == 5
        reopened = EmbeddedLog(tmp_path / "queue.sqlite3")  # a restart of the process
        assert reopened.end_offset("t") == 5
        p = reopened.producer()
        p.produce("t", b"m5")
        p.flush()
        got = reopened.consumer("g", ["t"]).poll(0, 10)
        assert [(e.position.offset, e.payload) for e in got] == [(3, b"m0"), (4, b"m1"), (5, b"m5")]
        assert reopened.prune("t") == 0  # nobody committed past 3 yet
        assert len(reopened.consumer("g", ["t"]).poll(0, 10)) == 3

    def test_offsets_go_on_when_every_message_was_pruned_before_a_restart(self, tmp_path: Path) -> None:
        self.publish("t", 4)
        c = self.log.consumer("g", ["t"])
        c.commit([e.position for e in c.poll(0, 10)])
        assert self.log.prune("t") == 4
        reopened = EmbeddedLog(tmp_path / "queue.sqlite3")
        p = reopened.producer()
        for i in range(3):
            p.produce("t", f"n{i}".encode())
        p.flush()
        got = reopened.consumer("g", ["t"]).poll(0, 10)
        assert [(e.position.offset, e.payload) for e in got] == [(4, b"n0"), (5, b"n1"), (6, b"n2")]

    def test_a_file_from_before_sequences_resumes_past_every_committed_offset(self, tmp_path: Path) -> None:
        self.publish("t", 6)
        c = self.log.consumer("g", ["t"])
        c.commit([e.position for e in c.poll(0, 10)])
        self.log.prune("t")
        self.log.connection().execute("DROP TABLE queue_sequences")  # as an older release left it
        reopened = EmbeddedLog(tmp_path / "queue.sqlite3")
        self.publish_to(reopened, 1)
        assert [e.position.offset for e in reopened.consumer("g", ["t"]).poll(0, 10)] == [6]

    @staticmethod
    def publish_to(log: EmbeddedLog, n: int) -> None:
        p = log.producer()
        for i in range(n):
            p.produce("t", f"m{i}".encode())
        p.flush()


@pytest.mark.kafka
class TestKafkaQueue(QueueContract):
    @pytest.fixture(autouse=True)
    def _kafka(self, kafka_bootstrap: str, unique_topic: Callable[..., str]) -> None:
        self.bootstrap = kafka_bootstrap
        self.unique_topic = unique_topic
        self.group_prefix = f"test-{uuid.uuid4().hex[:8]}"

    def topic(self) -> str:
        return self.unique_topic("queue", partitions=1)

    def make_producer(self) -> Producer:
        return KafkaQueueProducer(self.bootstrap)

    def make_consumer(self, group: str, topic: str) -> Consumer:
        return KafkaQueueConsumer(self.bootstrap, f"{self.group_prefix}-{group}", [topic])
