"""Invariants of the pure delivery decisions, checked with Hypothesis."""

from __future__ import annotations

import ipaddress
import random
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from newswatch.delivery.policy import breaker
from newswatch.delivery.policy.breaker import Breaker, Policy, State
from newswatch.delivery.policy.classify import Result, Verdict, classify, parse_retry_after
from newswatch.delivery.policy.schedule import Schedule
from newswatch.delivery.policy.ssrf import SsrfPolicy, refusal

delays = st.lists(st.floats(0, 36000, allow_nan=False), min_size=1, max_size=10).map(tuple)


@given(delays, st.floats(0, 0.5), st.integers(1, 12), st.integers(0, 2**32), st.none() | st.floats(0, 1e7))
def test_schedule_is_bounded_and_jitter_stays_in_band(
    ds: tuple[float, ...], jitter: float, attempt: int, seed: int, retry_after: float | None
) -> None:
    got = Schedule(ds, jitter).next_delay(attempt, random.Random(seed), retry_after)
    if attempt >= len(ds):
        assert got is None  # never more attempts than the schedule has slots
        return
    assert got is not None
    base = ds[attempt]
    low, high = base * (1 - jitter), base * (1 + jitter)
    if retry_after is not None:
        floor = min(retry_after, max(ds))
        low, high = max(low, floor), max(high, floor)
    assert low - 1e-9 <= got <= high + 1e-9


events = st.lists(st.tuples(st.sampled_from(["allow", "ok", "fail"]), st.floats(0, 5)), max_size=40)


@given(events, st.integers(1, 5), st.floats(1, 100))
def test_breaker_invariants(steps: list[tuple[str, float]], threshold: int, cooldown: float) -> None:
    policy, b, now = Policy(threshold, cooldown), Breaker(), 0.0
    for kind, dt in steps:
        now += dt
        if kind == "allow":
            ok, after = breaker.allow(b, now, policy)
            assert ok or (b.state is not State.CLOSED and now - b.since < cooldown)
            b = after
        elif kind == "ok":
            b = breaker.on_success(b)
        else:
            b = breaker.on_failure(b, now, policy)
        assert b.state is not State.CLOSED or b.failures < threshold  # closed means under threshold


@given(st.integers(0, 2**32 - 1), st.booleans())
def test_ipv4_mapped_ipv6_is_judged_like_ipv4(n: int, allow_private: bool) -> None:
    v4 = ipaddress.IPv4Address(n)
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    policy = SsrfPolicy(allow_private=allow_private)
    assert refusal(mapped, policy) == refusal(v4, policy)


@given(st.integers(0, 10**9))
def test_delta_seconds_round_trip(n: int) -> None:
    assert parse_retry_after(str(n), datetime.now(UTC)) == float(n)


@given(st.integers(100, 599))
def test_every_status_has_exactly_one_verdict_and_only_5xx_429_retry(status: int) -> None:
    verdict = classify(Result(status), datetime.now(UTC)).verdict
    assert (verdict is Verdict.RETRY) == (status >= 500 or status == 429)
    assert (verdict is Verdict.DONE) == (200 <= status < 300)
