"""One contract per store interface, run against every backend (SQLite and real Redis)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from newswatch.contracts.schemas import schema_errors
from newswatch.domain.errors import InvalidMessage
from newswatch.store.analyses import RedisAnalyses, SQLiteAnalyses
from newswatch.store.api_keys import KEY_PREFIX, RedisApiKeys, SQLiteApiKeys
from newswatch.store.dead_letters import RedisDeadLetters, SQLiteDeadLetters, dead_letter_record
from tests.contract.conftest import StoreBackend

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def make_store(store_backend: StoreBackend) -> Callable[[type, type], Any]:
    """Factory: build the SQLite or Redis class of an interface on a fresh, private namespace.

    Calling it twice gives two handles on the same data (as two processes would have).
    """
    return store_backend.open


def record(reason: str, n: int, transport: str = "http") -> dict[str, Any]:
    exc = InvalidMessage(reason, f"detail {n}", [{"path": "$", "message": f"problem {n}"}])
    return dead_letter_record(exc, f'{{"n": {n}}}'.encode(), {"transport": transport}, NOW)


# ---------------------------------------------------------------- dead letters


def test_dead_letter_record_is_valid_against_its_schema() -> None:
    assert schema_errors("dead-letter", record("schema_invalid", 1)) == []


def test_dead_letters_start_empty(make_store: Callable[[type, type], Any]) -> None:
    store = make_store(SQLiteDeadLetters, RedisDeadLetters)
    assert store.recent() == []
    assert store.count_by_reason() == {}


def test_dead_letters_recent_is_newest_first_and_limited(make_store: Callable[[type, type], Any]) -> None:
    store = make_store(SQLiteDeadLetters, RedisDeadLetters)
    for n in range(5):
        store.put(record("schema_invalid", n))
    recent = store.recent(limit=3)
    assert [r["detail"] for r in recent] == ["detail 4", "detail 3", "detail 2"]
    assert recent[0] == record("schema_invalid", 4)  # round-trips unchanged


def test_dead_letters_count_by_reason(make_store: Callable[[type, type], Any]) -> None:
    store = make_store(SQLiteDeadLetters, RedisDeadLetters)
    for n, reason in enumerate(["decode_error", "schema_invalid", "schema_invalid", "too_large"]):
        store.put(record(reason, n))
    assert store.count_by_reason() == {"decode_error": 1, "schema_invalid": 2, "too_large": 1}


def test_dead_letters_are_visible_to_another_handle(make_store: Callable[[type, type], Any]) -> None:
    make_store(SQLiteDeadLetters, RedisDeadLetters).put(record("decode_error", 7))
    other = make_store(SQLiteDeadLetters, RedisDeadLetters)
    assert [r["detail"] for r in other.recent()] == ["detail 7"]


# ---------------------------------------------------------------- analyses

ANALYSIS = {"version": "1", "article_id": "a-1", "topics": [], "regions": [], "events": []}


def test_analysis_get_of_unknown_article_is_none(make_store: Callable[[type, type], Any]) -> None:
    store = make_store(SQLiteAnalyses, RedisAnalyses)
    assert store.get("nope") is None
    assert store.count() == 0


def test_analysis_round_trips(make_store: Callable[[type, type], Any]) -> None:
    store = make_store(SQLiteAnalyses, RedisAnalyses)
    store.put("a-1", ANALYSIS)
    assert store.get("a-1") == ANALYSIS
    assert make_store(SQLiteAnalyses, RedisAnalyses).get("a-1") == ANALYSIS  # another handle sees it


def test_analysis_put_twice_replaces(make_store: Callable[[type, type], Any]) -> None:
    store = make_store(SQLiteAnalyses, RedisAnalyses)
    store.put("a-1", ANALYSIS)
    store.put("a-1", {**ANALYSIS, "topics": [{"topic": "conflict", "score": 0.9}]})
    store.put("a-2", {**ANALYSIS, "article_id": "a-2"})
    assert store.count() == 2
    assert store.get("a-1")["topics"] == [{"topic": "conflict", "score": 0.9}]


def test_analyses_put_many_stores_each_and_replaces(make_store: Callable[[type, type], Any]) -> None:
    import json

    store = make_store(SQLiteAnalyses, RedisAnalyses)
    store.put("a-1", ANALYSIS)
    encoded = [
        (f"a-{i}", json.dumps({**ANALYSIS, "article_id": f"a-{i}", "n": i}).encode()) for i in (1, 2, 3)
    ]
    store.put_many(encoded)
    store.put_many([])
    assert store.count() == 3
    assert [store.get(f"a-{i}")["n"] for i in (1, 2, 3)] == [1, 2, 3]


def test_analysis_keeps_non_ascii_text(make_store: Callable[[type, type], Any]) -> None:
    store = make_store(SQLiteAnalyses, RedisAnalyses)
    store.put("ü-1", {**ANALYSIS, "note": "Харків"})
    assert store.get("ü-1")["note"] == "Харків"


# ---------------------------------------------------------------- API keys


def test_api_key_is_shown_once_and_maps_to_its_tenant(make_store: Callable[[type, type], Any]) -> None:
    store = make_store(SQLiteApiKeys, RedisApiKeys)
    key_a, key_b = store.create("tenant-a"), store.create("tenant-b")
    assert key_a.startswith(KEY_PREFIX) and key_a != key_b
    assert store.tenant_for(key_a) == "tenant-a"
    assert make_store(SQLiteApiKeys, RedisApiKeys).tenant_for(key_b) == "tenant-b"


@pytest.mark.parametrize("guess", ["", "nwk_", "nwk_not-a-real-key", "tenant-a"])
def test_api_key_unknown_keys_have_no_tenant(make_store: Callable[[type, type], Any], guess: str) -> None:
    store = make_store(SQLiteApiKeys, RedisApiKeys)
    store.create("tenant-a")
    assert store.tenant_for(guess) is None


def test_redis_analyses_expire_after_their_ttl(redis_client: Any, redis_prefix: str) -> None:
    from newswatch.store.redis import Keys

    store = RedisAnalyses(redis_client, Keys(redis_prefix), ttl_s=300)
    store.put("a-1", ANALYSIS)
    store.put_many([("a-2", b'{"version": "1"}')])
    for article_id in ("a-1", "a-2"):
        assert 0 < redis_client.ttl(f"{redis_prefix}analysis:{article_id}") <= 300
    forever = RedisAnalyses(redis_client, Keys(redis_prefix))
    forever.put("a-3", ANALYSIS)
    assert redis_client.ttl(f"{redis_prefix}analysis:a-3") == -1  # no TTL given: kept
