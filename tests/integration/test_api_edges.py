"""The API's edges over HTTP (uvicorn on 127.0.0.1, embedded services): bad input gets a 4xx problem.

Each test is a request a user could send. Every error must be RFC 9457 problem details
(`application/problem+json`) naming the field, never a 500.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newswatch import compose
from newswatch.config import Settings
from tests.integration.api_server import serve

ADMIN = "edges-admin-token"
PUBLIC_HOOK = {"url": "https://93.184.216.34/newswatch"}  # a public address literal: no DNS needed


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("edges")
    services = compose.build(
        Settings.from_env({"NEWSWATCH_DATA_DIR": str(data), "NEWSWATCH_ADMIN_TOKEN": ADMIN})
    )
    with serve(services) as base:
        yield base
    services.close()


@pytest.fixture
def admin(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30) as c:
        yield c


def tenant(admin: httpx.Client, name: str) -> httpx.Client:
    r = admin.post("/v1/api-keys", json={"tenant": name})
    assert r.status_code == 201, r.text
    return httpx.Client(base_url=str(admin.base_url), headers={"Authorization": f"Bearer {r.json()['key']}"})


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    """Assert `r` is problem details with `status`; return the body."""
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["type"].startswith("https://") and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# ---------------------------------------------------------------- one JSON parser, bounded


BAD_BODIES = {
    "arrays 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "objects 5,000 deep": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    "arrays 65 deep in an article": b'{"id":"d","body":"x","extra":' + b"[" * 65 + b"]" * 65 + b"}",
    "escaped lone surrogate": b'{"id":"s","body":"\\ud800"}',
    "raw lone surrogate": '{"id":"s","body":"\ud800"}'.encode("utf-8", "surrogatepass"),
    "5,000-digit integer": b'{"id":"i","body":"x","n":' + b"7" * 5_000 + b"}",
    "30-digit integer": b'{"id":"i","body":"x","n":' + b"1" * 30 + b"}",
    "NaN": b'{"id":"n","body":"x","score":NaN}',
    "Infinity": b'{"id":"n","body":"x","score":Infinity}',
    "1e400": b'{"id":"n","body":"x","score":1e400}',
    "not UTF-8": b'{"id":"u","body":"\xff\xfe"}',
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_articles_the_pipeline_would_reject_get_422_not_500(admin: httpx.Client, name: str) -> None:
    r = admin.post("/v1/articles", content=BAD_BODIES[name], headers={"content-type": "application/json"})
    body = problem(r, 422)
    assert body["accepted"] == 0 and body["errors"][0]["reason"] == "decode_error"
    assert body["errors"][0]["field"] == "body"


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_subscription_bodies_are_parsed_by_the_same_rules(admin: httpx.Client, name: str) -> None:
    r = admin.post(
        "/v1/subscriptions", content=BAD_BODIES[name], headers={"content-type": "application/json"}
    )
    body = problem(r, 422)
    assert body["errors"][0]["field"] == "body"


def test_a_19_digit_integer_is_still_fine(admin: httpx.Client) -> None:
    r = admin.post(
        "/v1/articles",
        content=b'{"id":"ok19","body":"x","metadata":{"n":9223372036854775807,"f":1.5e300}}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 202, r.text


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/v1/articles", "text/plain"),
        ("/v1/articles", "application/x-www-form-urlencoded"),
        ("/v1/subscriptions", "text/plain"),
        ("/v1/api-keys", "application/xml"),
    ],
)
def test_bodies_must_be_sent_as_json(admin: httpx.Client, path: str, content_type: str) -> None:
    r = admin.post(path, content=b'{"id":"a","body":"x"}', headers={"content-type": content_type})
    body = problem(r, 415)
    assert "application/json" in body["detail"]


def test_json_with_a_charset_or_a_json_suffix_is_accepted(admin: httpx.Client) -> None:
    for ct in ("application/json; charset=utf-8", "application/vnd.newswatch+json"):
        r = admin.post("/v1/articles", content=b'{"id":"ct","body":"x"}', headers={"content-type": ct})
        assert r.status_code == 202, (ct, r.text)


# ---------------------------------------------------------------- cursors and query parameters


@pytest.mark.parametrize("cursor", ["\u00b2", "1" * 30, "9" * 5_000, "-1", "", "12a"])
def test_delivery_cursors_are_validated(admin: httpx.Client, cursor: str) -> None:
    body = problem(admin.get("/v1/deliveries", params={"cursor": cursor}), 422)
    assert body["errors"][0]["field"] == "query.cursor"


@pytest.mark.parametrize(
    "raw",
    [
        b"9" * 40 + b"|alr_1",
        b"-5|alr_1",
        b"1|",
        b"x|alr_1",
        "1|\u00e9\ud800".encode("utf-8", "surrogatepass"),
    ],
)
def test_alert_cursors_are_validated(admin: httpx.Client, raw: bytes) -> None:
    cursor = base64.urlsafe_b64encode(raw).decode()
    body = problem(admin.get("/v1/alerts", params={"cursor": cursor}), 422)
    assert body["errors"][0]["field"] == "query.cursor"


def test_unknown_query_parameters_are_refused_with_the_closest_name(admin: httpx.Client) -> None:
    body = problem(admin.get("/v1/deliveries", params={"status": "failed"}), 422)
    assert body["errors"][0]["field"] == "query.status"
    assert "subscription_id" in body["errors"][0]["suggestion"]
    typo = problem(admin.get("/v1/alerts", params={"limt": 5}), 422)
    assert typo["errors"][0]["suggestion"] == "did you mean 'limit'?"


def test_a_lone_surrogate_in_a_refused_value_is_reported_not_a_500(admin: httpx.Client) -> None:
    for name in ("since", "limit", "cursor"):
        body = problem(admin.get(f"/v1/alerts?{name}=%ED%A0%80"), 422)
        assert body["errors"][0]["field"] == f"query.{name}"
    escaped = b'{"name": "\\ud800", "webhook": {"url": "https://93.184.216.34/h"}}'
    body = problem(
        admin.post("/v1/subscriptions", content=escaped, headers={"content-type": "application/json"}), 422
    )
    assert body["errors"][0]["field"] == "body"  # the parser refuses the escaped lone surrogate


def test_framework_validation_errors_are_problem_details_too(admin: httpx.Client) -> None:
    body = problem(admin.get("/v1/alerts", params={"limit": 0}), 422)
    assert body["errors"][0]["field"] == "query.limit"
    assert body["errors"][0]["suggestion"] == "send a value of at least 1"
    missing = problem(admin.post("/v1/subscriptions", json={"name": "x"}), 422)
    assert missing["errors"][0] == {
        "field": "body.webhook",
        "message": "Field required",
        "suggestion": "add this field",
    }


def test_unknown_paths_methods_and_keys_are_problem_details(url: str, admin: httpx.Client) -> None:
    problem(admin.get("/v1/nothing-here"), 404)
    problem(admin.put("/v1/alerts"), 405)
    unauthorized = problem(httpx.get(f"{url}/v1/alerts"), 401)
    assert "Authorization: Bearer" in unauthorized["detail"]
    problem(httpx.get(f"{url}/v1/alerts", headers={"Authorization": "Bearer nwk_nope"}), 401)
    with tenant(admin, "edges-t") as t:
        problem(t.get("/v1/dead-letters"), 403)
        problem(t.get("/v1/alerts/alr_none"), 404)


# ---------------------------------------------------------------- filters that can match


@pytest.mark.parametrize(
    ("region", "suggestion"),
    [
        ("Ukraine", "did you mean UA (Ukraine)?"),
        ("ua", "did you mean UA (Ukraine)?"),
        ("UKR", "did you mean UA (Ukraine)?"),
        ("UK", "did you mean GB (United Kingdom)?"),
        ("UA-99", "did you mean UA (Ukraine)?"),
        ("ua-63", "did you mean UA-63 (Kharkivska oblast)?"),
        ("XX", "use an ISO 3166 code such as UA or UA-63"),
    ],
)
def test_regions_must_exist_in_iso_3166(admin: httpx.Client, region: str, suggestion: str) -> None:
    r = admin.post(
        "/v1/subscriptions", json={"name": "r", "webhook": PUBLIC_HOOK, "filters": {"regions": [region]}}
    )
    body = problem(r, 422)
    assert body["errors"][0]["field"] == "body.filters.regions[0]"
    assert body["errors"][0]["suggestion"] == suggestion
    assert suggestion in body["detail"]


@pytest.mark.parametrize(
    ("filters", "field", "suggestion"),
    [
        ({"topics": [{"id": "sports"}]}, "body.filters.topics[0].id", "did you mean 'sport'?"),
        (
            {"event_types": ["power_plant_strikes"]},
            "body.filters.event_types[0]",
            "did you mean 'power_plant_strike'?",
        ),
        ({"event_types": ["strike", "blackouts"]}, "body.filters.event_types[1]", "did you mean 'blackout'?"),
    ],
)
def test_unknown_topics_and_event_types_get_the_closest_valid_value(
    admin: httpx.Client, filters: dict[str, Any], field: str, suggestion: str
) -> None:
    body = problem(
        admin.post("/v1/subscriptions", json={"name": "f", "webhook": PUBLIC_HOOK, "filters": filters}), 422
    )
    assert (body["errors"][0]["field"], body["errors"][0]["suggestion"]) == (field, suggestion)


def test_patch_checks_filters_too(admin: httpx.Client) -> None:
    r = admin.post(
        "/v1/subscriptions", json={"name": "p", "webhook": PUBLIC_HOOK, "filters": {"regions": ["UA-63"]}}
    )
    assert r.status_code == 201, r.text
    body = problem(
        admin.patch(f"/v1/subscriptions/{r.json()['id']}", json={"filters": {"regions": ["UK"]}}), 422
    )
    assert body["errors"][0]["suggestion"] == "did you mean GB (United Kingdom)?"


# ---------------------------------------------------------------- SSRF refusals say what to do


@pytest.mark.parametrize(
    ("hook", "reason"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://[::127.0.0.1]/hook", "loopback"),
        ("http://[64:ff9b::7f00:1]/hook", "loopback"),
        ("http://[2002:c0a8:101::1]/hook", "private"),
        ("http://192.0.0.192/hook", "reserved"),
        ("http://[64:ff9b::a9fe:a9fe]/hook", "cloud-metadata"),
    ],
)
def test_webhooks_to_internal_addresses_are_refused(admin: httpx.Client, hook: str, reason: str) -> None:
    body = problem(admin.post("/v1/subscriptions", json={"name": "s", "webhook": {"url": hook}}), 422)
    assert body["reason"] == reason and body["errors"][0]["field"] == "body.webhook.url"
    if reason == "cloud-metadata":
        assert "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE" not in body["detail"]  # it would not help
    else:
        assert "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE=1" in body["detail"]


def test_credential_endpoints_stay_blocked_with_private_addresses_allowed(tmp_path: Path) -> None:
    env = {
        "NEWSWATCH_DATA_DIR": str(tmp_path),
        "NEWSWATCH_ADMIN_TOKEN": ADMIN,
        "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "1",
    }
    services = compose.build(Settings.from_env(env))
    with (
        serve(services) as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN}"}) as c,
    ):
        for url in (
            "http://169.254.170.2/v2/credentials",
            "http://[::ffff:169.254.169.254]/",
            "http://[fd00:ec2::254]/",
        ):
            body = problem(c.post("/v1/subscriptions", json={"name": "m", "webhook": {"url": url}}), 422)
            assert body["reason"] == "cloud-metadata", url
        assert (
            c.post(
                "/v1/subscriptions", json={"name": "ok", "webhook": {"url": "http://127.0.0.1:9/h"}}
            ).status_code
            == 201
        )
    services.close()


# ---------------------------------------------------------------- tenant-blind ids


def test_another_tenants_subscription_id_is_neither_refused_nor_revealed(admin: httpx.Client) -> None:
    with tenant(admin, "blind-a") as a, tenant(admin, "blind-b") as b:
        mine = a.post("/v1/subscriptions", json={"id": "alpha", "name": "a", "webhook": PUBLIC_HOOK})
        assert mine.status_code == 201 and mine.json()["id"] == "blind-a:alpha"
        # B choosing the same id gets exactly what it gets for an id nobody uses
        taken = b.post("/v1/subscriptions", json={"id": "alpha", "name": "b", "webhook": PUBLIC_HOOK})
        unused = b.post("/v1/subscriptions", json={"id": "never-used", "name": "b", "webhook": PUBLIC_HOOK})
        assert (taken.status_code, unused.status_code) == (201, 201)
        assert (taken.json()["id"], unused.json()["id"]) == ("blind-b:alpha", "blind-b:never-used")
        # even spelled with A's prefix, B cannot reach A's id
        forged = b.post(
            "/v1/subscriptions", json={"id": "blind-a:alpha", "name": "b", "webhook": PUBLIC_HOOK}
        )
        assert forged.status_code == 201 and forged.json()["id"] == "blind-b:blind-a:alpha"
        # a tenant's own duplicate is a conflict it may know about
        again = a.post("/v1/subscriptions", json={"id": "alpha", "name": "a", "webhook": PUBLIC_HOOK})
        assert problem(again, 409)["errors"][0]["field"] == "body.id"
        assert a.get("/v1/subscriptions/blind-a:alpha").json()["name"] == "a"
        assert b.get("/v1/subscriptions/blind-a:alpha").status_code == 404


# ---------------------------------------------------------------- API keys


def test_api_keys_are_listed_without_secrets_and_revoked(url: str, admin: httpx.Client) -> None:
    made = [admin.post("/v1/api-keys", json={"tenant": t}).json() for t in ("keys-a", "keys-a", "keys-b")]
    listed = admin.get("/v1/api-keys").json()["items"]
    by_id = {k["id"]: k for k in listed}
    for m in made:
        assert by_id[m["id"]]["tenant"] == m["tenant"]
        assert by_id[m["id"]]["hint"] == m["key"][:8] and m["key"] not in str(listed)
    key_a1, key_a2, key_b = (m["key"] for m in made)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key_a1}"}) as a:
        own = [k["id"] for k in a.get("/v1/api-keys").json()["items"]]
        assert own == [made[0]["id"], made[1]["id"]]  # only its tenant's, oldest first
        problem(a.delete(f"/v1/api-keys/{made[2]['id']}"), 404)  # another tenant's key: as if absent
        assert a.delete(f"/v1/api-keys/{made[1]['id']}").status_code == 204
        assert a.get("/v1/alerts").status_code == 200
    problem(httpx.get(f"{url}/v1/alerts", headers={"Authorization": f"Bearer {key_a2}"}), 401)  # revoked
    assert admin.delete(f"/v1/api-keys/{made[2]['id']}").status_code == 204
    problem(httpx.get(f"{url}/v1/alerts", headers={"Authorization": f"Bearer {key_b}"}), 401)
    problem(admin.delete(f"/v1/api-keys/{made[2]['id']}"), 404)
