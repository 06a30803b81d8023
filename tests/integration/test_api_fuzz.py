"""Fuzzing the HTTP API: bad bodies and parameters from hypothesis, then schemathesis with every check.

Both run against uvicorn on 127.0.0.1 over the embedded services. The target is no 5xx on any
input, every 4xx in problem-details form, and the responses exactly as /openapi.json documents
them. Bounded to fit CI (`FUZZ_EXAMPLES`, `SCHEMATHESIS_EXAMPLES`); raise them locally with the
environment variables NEWSWATCH_FUZZ_EXAMPLES and NEWSWATCH_SCHEMATHESIS_EXAMPLES.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswatch import compose
from newswatch.config import Settings
from tests.integration.api_server import serve

ADMIN = "fuzz-admin-token"
FUZZ_EXAMPLES = int(os.environ.get("NEWSWATCH_FUZZ_EXAMPLES", "150"))
SCHEMATHESIS_EXAMPLES = int(os.environ.get("NEWSWATCH_SCHEMATHESIS_EXAMPLES", "8"))
SCHEMATHESIS_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("fuzz")
    services = compose.build(
        Settings.from_env({"NEWSWATCH_DATA_DIR": str(data), "NEWSWATCH_ADMIN_TOKEN": ADMIN})
    )
    with serve(services) as base:
        yield base
    services.close()


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def tally() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()
    yield counts
    print(
        f"\n[fuzz] HTTP status classes over {sum(counts.values())} requests: {dict(sorted(counts.items()))}"
    )


# ---------------------------------------------------------------- strategies of bad input

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**19, max_value=10**60)  # past the 19-digit bound
    | st.floats(allow_nan=True, allow_infinity=True)  # NaN, Infinity: not JSON
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"0" + b"}" * depth


lone_surrogate = st.integers(0xD800, 0xDFFF).map(lambda cp: chr(cp))
bad_bodies = st.one_of(
    st.binary(max_size=300),  # bytes: rarely JSON, often not UTF-8
    json_values.map(lambda v: json.dumps(v, allow_nan=True).encode()),  # JSON of every wrong shape
    st.tuples(st.integers(60, 5_000), st.sampled_from(["array", "object"])).map(lambda t: nested(*t)),
    st.tuples(st.text(max_size=10), lone_surrogate).map(  # raw lone surrogates in a string
        lambda t: (
            json.dumps({"id": "s", "body": t[0]}).encode()[:-2]
            + t[1].encode("utf-8", "surrogatepass")
            + b'"}'
        )
    ),
    lone_surrogate.map(lambda c: b'{"id":"e","body":"\\u%04x"}' % ord(c)),  # escaped ones
    st.integers(20, 6_000).map(lambda n: b'{"id":"n","body":"x","metadata":{"n":' + b"9" * n + b"}}"),
    st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e999"]).map(
        lambda n: b'{"id":"f","body":"x","metadata":{"v":' + n + b"}}"
    ),
    st.integers(2_000_001, 2_100_000).map(lambda n: b'{"id":"big","body":"' + b"x" * n + b'"}'),  # huge
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain", "application/xml", ""]
)
POST_TARGETS = ["/v1/articles", "/v1/subscriptions", "/v1/api-keys", "/v1/subscriptions/fuzz-sub/replay"]


def check(r: httpx.Response, tally: Counter[str]) -> None:
    tally[f"{r.status_code // 100}xx"] += 1
    assert r.status_code < 500, (r.request.method, r.request.url, r.text[:300])
    if r.status_code >= 400:
        assert r.headers["content-type"] == "application/problem+json", r.text[:300]
        body = r.json()
        assert body["status"] == r.status_code and isinstance(body["detail"], str)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bad_bodies, content_type=content_types, target=st.sampled_from(POST_TARGETS))
def test_bad_bodies_never_get_a_5xx(
    client: httpx.Client, tally: Counter[str], body: bytes, content_type: str, target: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    check(client.post(target, content=body, headers=headers), tally)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bad_bodies)
def test_bad_bodies_to_ingest_are_refused_whole(
    client: httpx.Client, tally: Counter[str], body: bytes
) -> None:
    r = client.post("/v1/articles", content=body, headers={"content-type": "application/json"})
    check(r, tally)
    if r.status_code == 202:  # valid by chance: then it must have been an article or array of them
        assert r.json()["accepted"] >= 0
    else:
        assert r.status_code in (413, 422)


query_values = st.one_of(
    st.text(max_size=30),
    st.integers().map(str),
    st.integers(10**19, 10**80).map(str),
    st.just("\u00b2"),
    st.binary(max_size=20).map(lambda b: b.decode("latin-1")),
)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(
        [
            "/v1/alerts",
            "/v1/deliveries",
            "/v1/dead-letters",
            "/v1/api-keys",
            "/v1/subscriptions",
            "/v1/stories",
        ]
    ),
    params=st.dictionaries(
        st.sampled_from(
            [
                "cursor",
                "limit",
                "since",
                "subscription_id",
                "alert_id",
                "status",
                "x",
                "region",
                "event_type",
                "topic",
            ]
        ),
        query_values,
        max_size=3,
    ),
)
def test_bad_query_parameters_never_get_a_5xx(
    client: httpx.Client, tally: Counter[str], path: str, params: dict[str, str]
) -> None:
    check(client.get(path, params=params), tally)


# ---------------------------------------------------------------- schemathesis over /openapi.json

# Statuses a schema-valid request may still get. 422 is in the list because the API refuses on
# purpose some requests JSON Schema cannot describe: integers of more than 19 digits or nesting
# deeper than 64 inside free-form `metadata`, region codes that are not in ISO 3166, webhook URLs
# that do not resolve to a public address, cursors it did not issue, times without a timezone.
SCHEMATHESIS_CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
"""


def test_schemathesis_every_check_passes(url: str, tmp_path: Path) -> None:
    cli = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG)
    report = tmp_path / "report.json"  # kept for diagnosing a failed run
    result = subprocess.run(
        [
            cli,
            "--config-file",
            str(config),
            "run",
            f"{url}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {ADMIN}",
            "--max-examples",
            str(SCHEMATHESIS_EXAMPLES),
            "--workers",
            "1",
            "--seed",
            "20261208",
            "--generation-deterministic",
            "--report-json-path",
            str(report),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=SCHEMATHESIS_TIMEOUT_S,
        check=False,
        cwd=tmp_path,
    )
    summary = (
        result.stdout[result.stdout.rfind("SUMMARY") :]
        if "SUMMARY" in result.stdout
        else result.stdout[-3000:]
    )
    print(f"\n[schemathesis] {summary.strip()}")
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
    tested = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", summary)
    assert tested and tested.group(1) == tested.group(2) == tested.group(3), summary  # every operation
