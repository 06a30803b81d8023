"""Loading and compiling the versioned JSON Schemas in `schemas/`.

The schema files are the public API. They live at the repository's top level
and are shipped inside the wheel as `newswatch/_schemas`; validators are
compiled once per process and cached.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

_REPO_SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


def schema_dir() -> Path:
    """Where the schema files are: the packaged copy, else the source tree."""
    packaged = resources.files("newswatch") / "_schemas"
    if packaged.is_dir():
        return Path(str(packaged))
    return _REPO_SCHEMAS


@cache
def load_schema(name: str, version: int = 1) -> dict[str, Any]:
    path = schema_dir() / f"{name}.v{version}.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def validator(name: str, version: int = 1) -> Draft202012Validator:
    """The compiled validator for a schema (compiled once, then shared)."""
    return Draft202012Validator(
        load_schema(name, version), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def schema_errors(name: str, instance: Any, version: int = 1) -> list[dict[str, str]]:
    """Every violation as {path, message}, the most relevant first; [] when valid."""
    v = validator(name, version)
    errors = sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if not errors:
        return []
    first = best_match(errors)
    ordered = [first] + [e for e in errors if e is not first]
    return [{"path": e.json_path, "message": e.message} for e in ordered]


def available() -> list[tuple[str, int]]:
    """All (name, version) pairs present in the schema directory."""
    found = []
    for p in sorted(schema_dir().glob("*.v*.schema.json")):
        stem = p.name.removesuffix(".schema.json")
        name, _, ver = stem.rpartition(".v")
        found.append((name, int(ver)))
    return found
