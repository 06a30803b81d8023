"""Hand-written seed lexicons, one YAML rule file per topic (rules as data).

They cover every one of the 17 topics, including those the training data
lacks, and act as a prior next to the learned weights. Each file is validated
against `rules/topics/_schema.json` when loaded; a bad file raises
`LexiconError` at start-up, never at analysis time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from newswatch.domain.model import Topic

RULES_DIR = Path(__file__).resolve().parent.parent / "rules" / "topics"


class LexiconError(ValueError):
    """A topic rule file is malformed, duplicated or missing."""


@dataclass(frozen=True, slots=True)
class LexiconRule:
    slug: str
    topic: Topic
    terms: frozenset[str]


def load_rules(rules_dir: Path = RULES_DIR) -> tuple[LexiconRule, ...]:
    """Every `*.yaml` rule in `rules_dir`; exactly one per topic, all 17 present."""
    validator = Draft202012Validator(json.loads((rules_dir / "_schema.json").read_text("utf-8")))
    rules = tuple(_parse(path, validator) for path in sorted(rules_dir.glob("*.yaml")))
    _check_cover(rules)
    return rules


def _parse(path: Path, validator: Draft202012Validator) -> LexiconRule:
    doc = yaml.safe_load(path.read_text("utf-8"))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        raise LexiconError(f"{path.name}: {errors[0].message}")
    return LexiconRule(slug=doc["slug"], topic=Topic(doc["topic"]), terms=frozenset(doc["terms"]))


def _check_cover(rules: tuple[LexiconRule, ...]) -> None:
    topics = [r.topic for r in rules]
    slugs = [r.slug for r in rules]
    if len(set(slugs)) != len(slugs) or len(set(topics)) != len(topics):
        raise LexiconError("duplicate topic rule slug or topic")
    missing = set(Topic) - set(topics)
    if missing:
        raise LexiconError(f"no lexicon for topics {sorted(t.value for t in missing)}")
