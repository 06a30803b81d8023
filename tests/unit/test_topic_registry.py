"""schemas/topics.yaml is the registry of Kafka topics: the code's topics and schemas must agree with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from newswatch.config import Settings
from newswatch.contracts.schemas import available, schema_errors
from newswatch.runtime.worker_config import WorkerConfig

ROOT = Path(__file__).resolve().parents[2]
_FILE: dict[str, Any] = yaml.safe_load((ROOT / "schemas/topics.yaml").read_text("utf-8"))
REGISTRY: dict[str, dict[str, Any]] = _FILE["topics"]
BREAKING: dict[str, list[int]] = _FILE.get("breaking_versions") or {}


def _defaults() -> dict[str, str]:
    """Each topic-naming setting of the code with its default topic name."""
    s, w = Settings(), WorkerConfig()
    return {
        "NEWSWATCH_ARTICLES_TOPIC": s.articles_topic,
        "NEWSWATCH_DLQ_TOPIC": s.dlq_topic,
        "NEWSWATCH_ANALYSES_TOPIC": w.analyses_topic,
    }


def test_every_topic_of_the_code_is_registered_under_its_default_name() -> None:
    registered = {entry["setting"]: name for name, entry in REGISTRY.items()}
    assert registered == _defaults()


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_entry_names_an_existing_schema_and_who_uses_it(name: str) -> None:
    entry = REGISTRY[name]
    schema, _, version = entry["schema"].rpartition(".v")
    assert (schema, int(version)) in available(), entry["schema"]
    assert entry["producers"] and entry["consumers"] and entry["description"]


def _versions(name: str) -> list[int]:
    return sorted(v for n, v in available() if n == name)


@pytest.mark.parametrize("name", sorted({e["schema"].rpartition(".v")[0] for e in REGISTRY.values()}))
def test_examples_stay_valid_under_every_later_compatible_version(name: str) -> None:
    """A compatible change edits the current file or adds a version that still takes older messages.

    Only a version listed under `breaking_versions` (a consumer must move) may reject older examples.
    """
    versions = _versions(name)
    for version in versions:
        examples = sorted((ROOT / "schemas/examples").glob(f"{name}.v{version}.*.json"))
        assert examples, f"no example of {name}.v{version}"
        later = [w for w in versions if w >= version and not (w > version and w in BREAKING.get(name, []))]
        for path in examples:
            body = json.loads(path.read_text("utf-8"))
            for w in later:
                assert schema_errors(name, body, w) == [], f"{path.name} under {name}.v{w}"
