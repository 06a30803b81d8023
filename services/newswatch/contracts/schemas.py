"""Loading and compiling the versioned JSON Schemas in `schemas/`.

The schema files are the public API. They live at the repository's top level
and are shipped inside the wheel as `newswatch/_schemas`; validators are
compiled once per process and cached.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema
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


# Keywords that mean the same in draft-07 and 2020-12: a schema using only these can be
# compiled by fastjsonschema (which implements drafts 4, 6 and 7).
_DRAFT7_SAFE = frozenset(
    {
        "$schema",
        "$id",
        "title",
        "description",
        "type",
        "required",
        "properties",
        "additionalProperties",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "enum",
        "minimum",
        "maximum",
        "items",
        "examples",
    }
)
_FAST_FORMATS = frozenset({"uri", "date-time"})


@cache
def gate(name: str, version: int = 1) -> Callable[[Any], bool]:
    """A fast yes/no check for a hot schema; `schema_errors` stays the reference.

    jsonschema interprets a schema at every call (~25 us for an article);
    fastjsonschema compiles it to Python once (~2 us). It only knows drafts up to 7,
    so only schemas whose keywords mean the same there are compiled; any other
    schema gets jsonschema's own check. A test holds both to the same answers.
    """
    schema = load_schema(name, version)
    if not _draft7_safe(schema):
        v = validator(name, version)
        return v.is_valid
    # Formats are checked by jsonschema's own checker: the two cannot disagree there.
    formats = {f: partial(_conforms, f) for f in _FAST_FORMATS}
    draft7 = {**schema, "$schema": "http://json-schema.org/draft-07/schema#"}
    compiled = fastjsonschema.compile(draft7, formats=formats)

    def check(instance: Any) -> bool:
        try:
            compiled(instance)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return check


def _conforms(fmt: str, value: str) -> bool:
    return bool(Draft202012Validator.FORMAT_CHECKER.conforms(value, fmt))


def _draft7_safe(node: Any) -> bool:
    if isinstance(node, list):
        return all(_draft7_safe(n) for n in node)
    if not isinstance(node, dict):
        return True
    if not node.keys() <= _DRAFT7_SAFE or node.get("format", "uri") not in _FAST_FORMATS:
        return False
    subs = [*node.get("properties", {}).values(), node.get("items"), node.get("additionalProperties")]
    return all(_draft7_safe(n) for n in subs if isinstance(n, dict | list))


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
