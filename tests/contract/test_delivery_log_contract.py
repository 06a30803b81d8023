"""One contract suite for the delivery attempt log, run against SQLite and real Redis."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newswatch.delivery.log import AttemptOutcome, AttemptQuery, DeliveryAttempt, DeliveryLog
from newswatch.store.delivery_log_redis import RedisDeliveryLog
from newswatch.store.delivery_log_sqlite import SQLiteDeliveryLog
from tests.contract.conftest import StoreBackend

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def make_log(store_backend: StoreBackend) -> Callable[..., DeliveryLog]:
    """Factory: `make_log(ttl=...)`; ttl only matters to Redis."""
    return lambda **kw: store_backend.open(SQLiteDeliveryLog, RedisDeliveryLog, **kw)


def attempt(
    n: int, *, tenant: str = "t1", sub: str = "s1", alert: str = "a1", **kw: object
) -> DeliveryAttempt:
    fields: dict[str, object] = {"outcome": AttemptOutcome.RETRY.value, "status": 500, "latency": 0.01}
    fields.update(kw)
    return DeliveryAttempt(alert, sub, tenant, n, T0 + timedelta(seconds=n), **fields)  # type: ignore[arg-type]


def test_round_trip_keeps_every_field(make_log: Callable[..., DeliveryLog]) -> None:
    log = make_log()
    a = attempt(
        3,
        outcome=AttemptOutcome.RETRY.value,
        status=None,
        latency=15.0,
        error="ReadTimeout",
        next_at=T0 + timedelta(hours=2),
    )
    log.append(a)
    assert log.list_attempts(AttemptQuery(tenant="t1")).items == (a,)


def test_newest_first_and_cursor_walks_all(make_log: Callable[..., DeliveryLog]) -> None:
    log = make_log()
    for n in range(1, 8):
        log.append(attempt(n))
    seen, cursor = [], None
    while True:
        page = log.list_attempts(AttemptQuery(tenant="t1", limit=3, cursor=cursor))
        seen += [a.attempt for a in page.items]
        if page.cursor is None:
            break
        cursor = page.cursor
    assert seen == [7, 6, 5, 4, 3, 2, 1]


def test_exact_page_has_no_cursor(make_log: Callable[..., DeliveryLog]) -> None:
    log = make_log()
    for n in range(1, 4):
        log.append(attempt(n))
    page = log.list_attempts(AttemptQuery(tenant="t1", limit=3))
    assert [a.attempt for a in page.items] == [3, 2, 1] and page.cursor is None


def test_tenant_isolation(make_log: Callable[..., DeliveryLog]) -> None:
    log = make_log()
    log.append(attempt(1, tenant="a", sub="sa"))
    log.append(attempt(2, tenant="b", sub="sb"))
    assert [a.tenant for a in log.list_attempts(AttemptQuery(tenant="a")).items] == ["a"]
    assert [a.tenant for a in log.list_attempts(AttemptQuery(tenant="b")).items] == ["b"]
    # a tenant asking for another tenant's subscription sees nothing
    assert log.list_attempts(AttemptQuery(tenant="a", subscription_id="sb")).items == ()
    # admin (None) sees everything
    assert len(log.list_attempts(AttemptQuery(tenant=None)).items) == 2


def test_filters_by_subscription_alert_and_since(make_log: Callable[..., DeliveryLog]) -> None:
    log = make_log()
    log.append(attempt(1, sub="s1", alert="x"))
    log.append(attempt(2, sub="s2", alert="y"))
    log.append(attempt(3, sub="s1", alert="z"))
    log.append(attempt(4, sub="s1", alert="x"))

    def attempts(**query: Any) -> list[int]:
        return [a.attempt for a in log.list_attempts(AttemptQuery(**query)).items]

    assert attempts(tenant="t1", subscription_id="s1") == [4, 3, 1]
    assert attempts(tenant=None, alert_id="x") == [4, 1]
    since = T0 + timedelta(seconds=3)
    assert attempts(tenant="t1", since=since) == [4, 3]
    assert attempts(tenant="t1", subscription_id="s2", since=since) == []


def test_filtered_pages_skip_other_records(make_log: Callable[..., DeliveryLog]) -> None:
    log = make_log()
    for n in range(1, 13):
        log.append(attempt(n, sub="s1" if n % 3 == 0 else "s2"))
    first = log.list_attempts(AttemptQuery(tenant=None, subscription_id="s1", limit=2))
    rest = log.list_attempts(AttemptQuery(tenant=None, subscription_id="s1", limit=2, cursor=first.cursor))
    assert [a.attempt for a in first.items + rest.items] == [12, 9, 6, 3]
    assert rest.cursor is None


def test_empty_log(make_log: Callable[..., DeliveryLog]) -> None:
    assert make_log().list_attempts(AttemptQuery(tenant="nobody")).items == ()
