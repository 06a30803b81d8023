"""The Redis due-retry set on real Redis: due entries move once, in order, and a second mover waits."""

from __future__ import annotations

import pytest
import redis

from newswatch.store.delivery_due_redis import RedisDueDeliveries
from newswatch.store.redis import Keys


def test_moves_only_due_entries_once(redis_client: redis.Redis, redis_prefix: str) -> None:
    due = RedisDueDeliveries(redis_client, Keys(redis_prefix))
    due.add("a", 2, 10.0)
    due.add("b", 4, 5.0)
    due.add("c", 3, 100.0)
    sent: list[tuple[str, int]] = []
    assert due.move_due(50.0, lambda a, n: sent.append((a, n))) == 2
    assert sent == [("b", 4), ("a", 2)] and due.count() == 1
    assert due.move_due(50.0, lambda a, n: sent.append((a, n))) == 0  # nothing twice


def test_a_failed_send_keeps_the_entry(redis_client: redis.Redis, redis_prefix: str) -> None:
    due = RedisDueDeliveries(redis_client, Keys(redis_prefix))
    due.add("a", 2, 1.0)

    def broken(alert_id: str, attempt: int) -> None:
        raise ConnectionError("broker away")

    with pytest.raises(ConnectionError):
        due.move_due(5.0, broken)
    assert due.count() == 1  # still parked, and the lock was released: the next tick sends it
    assert due.move_due(5.0, lambda a, n: None) == 1 and due.count() == 0


def test_one_mover_at_a_time(redis_client: redis.Redis, redis_prefix: str) -> None:
    due = RedisDueDeliveries(redis_client, Keys(redis_prefix))
    due.add("a", 2, 1.0)
    redis_client.set(f"{redis_prefix}delivery:due:lock", "1", ex=30)  # another mover holds it
    assert due.move_due(5.0, lambda a, n: None) == 0 and due.count() == 1
