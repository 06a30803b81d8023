"""Load and validate the hand-written alias rules (rules/regions/aliases.yaml)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

RULES_DIR = Path(__file__).resolve().parents[1] / "rules" / "regions"
REGION_SUFFIXES = ("oblast", "region", "province", "krai", "kray", "oblast'")


@dataclass(frozen=True, slots=True)
class AliasRules:
    raw: dict[str, Any]
    comparisons: tuple[re.Pattern[str], ...]
    place_nouns: frozenset[str]
    actor_nouns: frozenset[str]
    actor_verbs: frozenset[str]
    person_names: frozenset[str]  # lower-cased
    place_event_nouns: frozenset[str] = frozenset()


def load_aliases(path: Path = RULES_DIR / "aliases.yaml") -> AliasRules:
    """Parse and schema-check the alias file; raises jsonschema.ValidationError."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = json.loads((RULES_DIR / "aliases.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(raw)
    # Comparison patterns look at the text just before a place (anchored at its end).
    comparisons = tuple(re.compile(p, re.I) for p in raw["comparisons"])
    return AliasRules(
        raw,
        comparisons,
        _words(raw["place_nouns"]),
        _words(raw["actor_nouns"]),
        _words(raw["actor_verbs"]),
        _words(raw["person_names"]),
        _words(raw.get("place_event_nouns", [])),
    )


def _words(words: list[str]) -> frozenset[str]:
    return frozenset(w.lower() for w in words)
