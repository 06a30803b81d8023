"""The OpenAPI document and /docs, as a user's browser and tools see them over HTTP.

/docs must render offline: Swagger UI comes from an installed package, and headless Chromium
(Debian's `chromium`, installed by .ci/run) is given no way to reach any host but 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newswatch import compose
from newswatch.api.filters import event_types, topics
from newswatch.config import Settings
from newswatch.contracts.schemas import load_schema, schema_dir
from tests.integration.api_server import serve

CHROMIUM_TIMEOUT_S = 90


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("docs")
    services = compose.build(Settings.from_env({"NEWSWATCH_DATA_DIR": str(data)}))
    with serve(services) as base:
        yield base
    services.close()


@pytest.fixture(scope="module")
def doc(url: str) -> dict[str, Any]:
    r = httpx.get(f"{url}/openapi.json")
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield path, method, op


EXPECTED_ERRORS = {
    ("/v1/articles", "post"): {"413", "415", "422", "503"},
    ("/v1/dead-letters", "get"): {"401", "403", "422"},
    ("/v1/analyses/{article_id}", "get"): {"401", "404", "422"},
    ("/v1/api-keys", "get"): {"401", "422"},
    ("/v1/api-keys", "post"): {"401", "403", "415", "422"},
    ("/v1/api-keys/{key_id}", "delete"): {"401", "404", "422"},
    ("/v1/subscriptions", "post"): {"401", "403", "409", "415", "422", "503"},
    ("/v1/subscriptions/{sub_id}", "get"): {"401", "404", "422", "503"},
    ("/v1/subscriptions/{sub_id}", "patch"): {"401", "404", "415", "422", "503"},
    ("/v1/subscriptions/{sub_id}/rotate-secret", "post"): {"401", "404", "415", "422", "503"},
    ("/v1/alerts", "get"): {"401", "422", "503"},
    ("/v1/alerts/{alert_id}", "get"): {"401", "404", "422"},
    ("/v1/deliveries", "get"): {"401", "422", "503"},
}


@pytest.mark.parametrize(("path", "method"), list(EXPECTED_ERRORS))
def test_each_route_declares_the_errors_it_answers(doc: dict[str, Any], path: str, method: str) -> None:
    responses = doc["paths"][path][method]["responses"]
    assert EXPECTED_ERRORS[(path, method)] <= set(responses)
    for code in EXPECTED_ERRORS[(path, method)]:
        assert list(responses[code]["content"]) == ["application/problem+json"], (path, code)
    if "503" in responses:
        assert "Retry-After" in responses["503"]["headers"]


def test_every_error_is_problem_details_and_pydantics_shape_is_gone(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert {"type", "title", "status", "detail"} <= set(schemas["ProblemDetails"]["properties"])
    for path, method, op in operations(doc):
        assert "422" in op["responses"], (path, method)  # unknown query parameters, everywhere
        for code, response in op["responses"].items():
            if int(code) >= 400:
                assert "application/problem+json" in response["content"], (path, method, code)


def test_filters_declare_enums_and_examples(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    filters = schemas["FiltersIn"]["properties"]
    assert filters["event_types"]["items"]["enum"] == list(event_types())
    assert schemas["TopicIn"]["properties"]["id"]["enum"] == list(topics())
    assert filters["regions"]["examples"] == [["UA"]]
    assert schemas["SubscriptionIn"]["examples"][0]["filters"]["regions"] == ["UA"]
    assert set(schemas["Alert"]["properties"]["kind"]["$ref"].split("/")[-1:]) <= set(schemas)


def resolve(doc: dict[str, Any], node: Any) -> Any:
    """`node` with every local reference replaced by its target (the document must be self-contained)."""
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/components/schemas/"), ref
            return resolve(doc, doc["components"]["schemas"][ref.rsplit("/", 1)[1]])
        return {k: resolve(doc, v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(doc, v) for v in node]
    return node


def inline_defs(schema: Any, defs: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        if "$ref" in schema:
            return inline_defs(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
        return {k: inline_defs(v, defs) for k, v in schema.items() if k not in ("$defs", "$schema", "$id")}
    if isinstance(schema, list):
        return [inline_defs(v, defs) for v in schema]
    return schema


def test_the_alert_webhook_is_described_from_schemas_alert_v1(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.1")
    post = doc["webhooks"]["alert"]["post"]
    body = post["requestBody"]["content"]["application/json"]
    source = load_schema("alert")
    assert resolve(doc, body["schema"]) == inline_defs(source, source["$defs"])
    examples = sorted((schema_dir() / "examples").glob("alert.v1.*.json"))
    assert examples and {e["value"]["type"] for e in body["examples"].values()} == {
        json.loads(p.read_text())["type"] for p in examples
    }
    assert {p["name"] for p in post["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_docs_page_loads_nothing_from_other_hosts(url: str) -> None:
    page = httpx.get(f"{url}/docs").text
    refs = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r"url: '([^']+)'", page)
    assert refs and all(ref.startswith("/") for ref in refs), refs
    for ref in refs:
        assert httpx.get(f"{url}{ref}").status_code == 200, ref


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    return found


def test_swagger_ui_renders_every_operation_in_headless_chromium(
    url: str, doc: dict[str, Any], tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            # offline: every host but the API's own fails to resolve
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=30000",
            "--dump-dom",
            f"{url}/docs",
        ],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT_S,
        check=False,
    )
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    rendered = set(re.findall(r'data-path="([^"]+)"', dom))
    assert set(doc["paths"]) <= rendered, set(doc["paths"]) - rendered
    assert "alert" in rendered  # the webhooks section
    assert dom.count('class="opblock-summary-method"') >= sum(1 for _ in operations(doc))
