"""An operator's and a user's view of a real `newswatch run`: /readyz, /metrics, a Ukrainian article."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.embedded_process import EmbeddedProcess, analysis_of, wait_for

PROCESSED_WITHIN_S = 20.0


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedProcess]:
    svc = EmbeddedProcess(tmp_path_factory.mktemp("operator")).start()
    yield svc
    assert svc.stop() == 0


@pytest.fixture
def admin(service: EmbeddedProcess) -> Iterator[httpx.Client]:
    with service.client() as c:
        yield c


def metric(client: httpx.Client, name: str, **labels: str) -> float | None:
    text = client.get("/metrics").text
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        m = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if m and ",".join(sorted((m.group(1) or "").split(","))) == want:
            return float(m.group(2))
    return None


def test_ready_with_its_store_and_queue(admin: httpx.Client) -> None:
    r = admin.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "checks": {"store": "ok", "queue": "ok"}}


def test_accepted_articles_are_counted_and_the_backlog_drains(admin: httpx.Client) -> None:
    before = metric(admin, "newswatch_articles_accepted_total") or 0.0
    batch = [{"id": f"op-{n}", "body": f"The council met on Tuesday about item {n}."} for n in range(3)]
    assert admin.post("/v1/articles", json=batch).json() == {"accepted": 3}
    assert metric(admin, "newswatch_articles_accepted_total") == before + 3
    analysis_of(admin, "op-2", PROCESSED_WITHIN_S)
    # Scrapes sample the embedded backlog: everything accepted has been processed.
    wait_for(
        lambda: metric(admin, "newswatch_embedded_backlog_messages", queue="articles") == 0,
        PROCESSED_WITHIN_S,
        "an empty article backlog",
    )
    assert metric(admin, "newswatch_embedded_backlog_messages", queue="deliveries") == 0


def test_a_ukrainian_article_says_it_was_analysed_for_regions_only(admin: httpx.Client) -> None:
    body = (
        "Уночі російські дрони атакували Харків. "
        "У Харкові та на Харківщині пошкоджено будинки, повідомив голова ОВА."
    )
    assert admin.post("/v1/articles", json={"id": "op-uk", "body": body}).status_code == 202
    found = analysis_of(admin, "op-uk", PROCESSED_WITHIN_S)
    assert (found["language"], found["coverage"]) == ("uk", "regions-only")
    assert {"UA", "UA-63"} <= {r["code"] for r in found["regions"]}
    assert found["topics"] == [] and found["events"] == []
    assert metric(admin, "newswatch_articles_language_uncovered_total", language="uk") == 1


def test_an_english_article_is_fully_covered(admin: httpx.Client) -> None:
    body = "Russian drones struck an electrical substation outside Kharkiv overnight, officials said."
    assert admin.post("/v1/articles", json={"id": "op-en", "body": body}).status_code == 202
    found = analysis_of(admin, "op-en", PROCESSED_WITHIN_S)
    assert (found["language"], found["coverage"]) == ("en", "full")
    assert found["events"]
