"""Every example in schemas/examples validates against its own schema version (later versions:
test_topic_registry.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from newswatch.contracts.schemas import available, schema_errors

EXAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "examples"


def _cases() -> list[tuple[str, int, Path]]:
    cases = []
    for name, version in available():
        for path in sorted(EXAMPLES.glob(f"{name}.v{version}.*.json")):
            cases.append((name, version, path))
    return cases


def test_every_schema_has_an_example() -> None:
    names = {name for name, _ in available()}
    with_examples = {name for name, _, _ in _cases()}
    assert names == with_examples


@pytest.mark.parametrize(("name", "version", "path"), _cases(), ids=lambda c: str(getattr(c, "name", c)))
def test_example_is_valid(name: str, version: int, path: Path) -> None:
    assert schema_errors(name, json.loads(path.read_text()), version) == []


@pytest.mark.parametrize(("name", "version"), available())
def test_schema_is_valid_2020_12(name: str, version: int) -> None:
    from newswatch.contracts.schemas import load_schema

    Draft202012Validator.check_schema(load_schema(name, version))
