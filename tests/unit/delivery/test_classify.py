from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newswatch.delivery.policy.classify import Decision, Result, Verdict, classify, parse_retry_after

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)

CLASSIFY_CASES = [
    # plain success
    (Result(200), Decision(Verdict.DONE)),
    # any 2xx counts as accepted
    (Result(204), Decision(Verdict.DONE)),
    # server errors are transient
    (Result(500), Decision(Verdict.RETRY)),
    # upper edge of 5xx still retried
    (Result(599), Decision(Verdict.RETRY)),
    # 503 with delta-seconds Retry-After is honoured
    (Result(503, retry_after="120"), Decision(Verdict.RETRY, 120.0)),
    # rate limited without a hint
    (Result(429), Decision(Verdict.RETRY)),
    # rate limited with an HTTP date 90 s ahead
    (Result(429, retry_after="Wed, 25 Nov 2026 12:01:30 GMT"), Decision(Verdict.RETRY, 90.0)),
    # timeouts and connection errors have no status
    (Result(None, error="ReadTimeout"), Decision(Verdict.RETRY)),
    # Gone: the endpoint must be disabled
    (Result(410), Decision(Verdict.DISABLE)),
    # other client errors give up
    (Result(400), Decision(Verdict.GIVE_UP)),
    # auth failure will not fix itself by resending
    (Result(401), Decision(Verdict.GIVE_UP)),
    # not found is not Gone: give up but keep the endpoint
    (Result(404), Decision(Verdict.GIVE_UP)),
    # redirects are never followed, so they give up too
    (Result(301), Decision(Verdict.GIVE_UP)),
    # Retry-After on a 4xx other than 429 is ignored
    (Result(400, retry_after="5"), Decision(Verdict.GIVE_UP)),
]


@pytest.mark.parametrize(("result", "expected"), CLASSIFY_CASES)
def test_classify(result: Result, expected: Decision) -> None:
    assert classify(result, NOW) == expected


RETRY_AFTER_CASES = [
    # absent
    (None, None),
    # empty header
    ("", None),
    # delta-seconds
    ("30", 30.0),
    # whitespace tolerated
    (" 7 ", 7.0),
    # HTTP date in the future
    ("Wed, 25 Nov 2026 12:00:10 GMT", 10.0),
    # HTTP date in the past clamps to zero
    ("Wed, 25 Nov 2026 11:00:00 GMT", 0.0),
    # garbage is ignored
    ("soon", None),
    # negative numbers are not delta-seconds
    ("-5", None),
]


@pytest.mark.parametrize(("value", "expected"), RETRY_AFTER_CASES)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected
