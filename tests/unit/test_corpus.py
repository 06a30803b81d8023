"""The labelled news corpus in tests/corpus: record schema, provenance, vocabulary, frozen split.

Every `tests/corpus/news_*.jsonl` file is checked. The vocabularies are those of the analysis spec
(events, IPTC top-level topics); the test-part manifest must equal the hash rule in `split.py`, so a
record can neither slip into nor out of the frozen part unnoticed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

EVENT_TYPES = {
    "border_crossing",
    "power_plant_strike",
    "infrastructure_strike",
    "strike",
    "armed_clash",
    "territorial_change",
    "retreat",
    "blackout",
    "casualties",
    "equipment_loss",
    "displacement",
    "natural_disaster",
    "protest",
    "cyberattack",
}
TOPICS = {
    "arts_culture_entertainment",
    "crime",
    "disaster",
    "economy",
    "education",
    "environment",
    "health",
    "human_interest",
    "labour",
    "lifestyle",
    "politics",
    "religion",
    "science_technology",
    "society",
    "sport",
    "conflict",
    "weather",
}
KINDS = {"headline_summary", "article"}
RECORD_KEYS = {"id", "source", "kind", "date", "title", "text", "labels", "hard_negative"}
OPTIONAL_KEYS = {"labeller_note"}
LABEL_KEYS = {"events", "events_labeled", "country", "admin1_iso", "topics"}
ID_RE = re.compile(r"^[a-z0-9]+:[0-9a-f]{12}$")
COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
ADMIN1_RE = re.compile(r"^([A-Z]{2})-[A-Z0-9]{1,3}$")


def _load_split() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_split", CORPUS / "split.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _records() -> list[tuple[str, int, dict[str, Any]]]:
    out = []
    for path in sorted(CORPUS.glob("news_*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    out.append((path.name, n, json.loads(line)))
    return out


RECORDS = _records()


def record_problems(rec: dict[str, Any]) -> list[str]:
    """What is wrong with one corpus record (empty when it is well formed)."""
    problems: list[str] = []
    keys = set(rec)
    if not keys >= RECORD_KEYS or keys - RECORD_KEYS - OPTIONAL_KEYS:
        return [f"keys {sorted(keys)}"]
    if not isinstance(rec["id"], str) or not ID_RE.match(rec["id"]):
        problems.append(f"id {rec['id']!r}")
    src = rec["source"]
    if not isinstance(src, dict) or {"repo", "commit", "path", "link"} - set(src):
        return [*problems, "source lacks repo/commit/path/link"]
    if not re.match(r"^[\w.-]+/[\w.-]+$", str(src["repo"])):
        problems.append(f"repo {src['repo']!r}")
    if not COMMIT_RE.match(str(src["commit"])):
        problems.append(f"commit {src['commit']!r}")
    if not str(src["path"]).strip() or not str(src["link"]).startswith("http"):
        problems.append("empty path or link")
    if rec["id"].startswith("rss"):
        digest = hashlib.sha1(str(src["link"]).encode("utf-8")).hexdigest()[:12]
        if rec["id"].split(":", 1)[1] != digest:
            problems.append("id is not the sha1 of the link")
    if rec["kind"] not in KINDS:
        problems.append(f"kind {rec['kind']!r}")
    if not isinstance(rec["date"], str) or not DATE_RE.match(rec["date"]) or rec["date"] < "2024-01-01":
        problems.append(f"date {rec['date']!r}")
    if not str(rec["title"]).strip() or not isinstance(rec["text"], str):
        problems.append("empty title or text not a string")
    if not isinstance(rec["hard_negative"], bool):
        problems.append("hard_negative not a bool")
    labels = rec["labels"]
    if not isinstance(labels, dict) or set(labels) != LABEL_KEYS:
        return [*problems, f"label keys {sorted(labels) if isinstance(labels, dict) else labels}"]
    events = labels["events"]
    if labels["events_labeled"] is not True or not isinstance(events, list):
        problems.append("events not labelled")
    elif set(events) - EVENT_TYPES or len(set(events)) != len(events):
        problems.append(f"events {events}")
    if not labels["topics"] or set(labels["topics"]) - TOPICS:
        problems.append(f"topics {labels['topics']}")
    country, admin1 = labels["country"], labels["admin1_iso"]
    if country is not None and not COUNTRY_RE.match(str(country)):
        problems.append(f"country {country!r}")
    if admin1 is not None:
        m = ADMIN1_RE.match(str(admin1))
        if not m or m.group(1) != country:
            problems.append(f"admin1_iso {admin1!r} outside country {country!r}")
    if rec["hard_negative"] and {"border_crossing", "power_plant_strike"} & set(events or []):
        problems.append("a hard negative carries a key event")
    return problems


@pytest.mark.parametrize(
    ("rec", "problem"),
    [
        ({"id": "x"}, "keys"),
        ({"date": "2023-12-31"}, "date"),
        ({"labels": {"events": ["invasion"]}}, "events"),
        ({"labels": {"topics": ["war"]}}, "topics"),
        ({"labels": {"admin1_iso": "RU-KRS"}}, "admin1_iso"),
        ({"source": {"commit": "abc"}}, "commit"),
        ({"source": {"link": "https://example.org/other"}}, "sha1"),
        ({"hard_negative": True, "labels": {"events": ["border_crossing"]}}, "hard negative"),
    ],
)
def test_record_problems_catches(rec: dict[str, Any], problem: str) -> None:
    good: dict[str, Any] = {
        "id": "rss24:" + hashlib.sha1(b"https://example.org/a").hexdigest()[:12],
        "source": {"repo": "o/r", "commit": "0" * 40, "path": "p", "link": "https://example.org/a"},
        "kind": "headline_summary",
        "date": "2024-08-08",
        "title": "t",
        "text": "x",
        "labels": {
            "events": ["border_crossing"],
            "events_labeled": True,
            "country": "UA",
            "admin1_iso": "UA-63",
            "topics": ["conflict"],
        },
        "hard_negative": False,
    }
    assert record_problems(good) == []
    if "id" in rec and len(rec) == 1:
        bad: dict[str, Any] = {"id": "x"}
    else:
        bad = json.loads(json.dumps(good))
        for key, value in rec.items():
            if isinstance(value, dict):
                bad[key].update(value)
            else:
                bad[key] = value
    assert any(problem in p for p in record_problems(bad))


def test_corpus_is_not_empty() -> None:
    assert len(RECORDS) > 0


CORPUS_FILES = sorted({name for name, _, _ in RECORDS})


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_record_of_the_file_is_well_formed(name: str) -> None:
    # One test per file, listing every bad record with its line: a test per record made the
    # unit run pay pytest's per-test cost thousands of times for the same check.
    bad = [
        f"{name}:{line}: {problems}"
        for n, line, rec in RECORDS
        if n == name
        if (problems := record_problems(rec))
    ]
    assert bad == [], "\n".join(bad)


def test_ids_and_links_are_unique() -> None:
    ids = [rec["id"] for _, _, rec in RECORDS]
    links = [rec["source"]["link"] for _, _, rec in RECORDS]
    assert len(set(ids)) == len(ids)
    assert len(set(links)) == len(links)


def test_split_rule_is_the_sha256_prefix() -> None:
    split = _load_split()
    for rid in ("rss24:000000000000", "rss25:abcdefabcdef", "x:0"):
        expected = int(hashlib.sha256(rid.encode()).hexdigest()[:8], 16) % 100 < 35
        assert split.is_test(rid) is expected
    assert split.test_ids(["b", "a", "a"]) == sorted({r for r in ("a", "b") if split.is_test(r)})


def test_frozen_manifest_equals_the_hash_rule() -> None:
    split = _load_split()
    manifest = (CORPUS / "test_ids.txt").read_text(encoding="utf-8").split()
    assert manifest == split.test_ids(rec["id"] for _, _, rec in RECORDS)


def test_test_part_is_about_a_third() -> None:
    split = _load_split()
    share = len(split.test_ids(rec["id"] for _, _, rec in RECORDS)) / len(RECORDS)
    assert 0.30 <= share <= 0.40
