"""Loading event rule files: schema-checked YAML turned into frozen Rule objects."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from newswatch.contracts.schemas import schema_errors
from newswatch.domain.model import EventType

# set name -> canonical value -> phrases ("shell*" matches any word starting "shell")
Lexicon = dict[str, dict[str, tuple[str, ...]]]


class RuleFileError(ValueError):
    """A rule file is invalid (schema violation, unknown set, duplicate slug or set)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One detector: phrase sets that must co-occur in a sentence, with blockers."""

    slug: str
    type: EventType
    all: tuple[str, ...]  # every set must match; the first is the trigger
    any: tuple[str, ...] = ()  # at least one of these sets must match, when given
    none: tuple[str, ...] = ()  # any of these sets in the sentence blocks the rule
    window: int | None = None  # max words between the trigger and the other sets' hits
    confidence: float = 0.8
    attributes: tuple[tuple[str, str], ...] = ()  # attribute name <- set name
    extract: tuple[str, ...] = ()  # named attribute extractors (see attributes.py)
    unless: tuple[EventType, ...] = ()  # suppressed when these types fire in the sentence
    modality: bool = True  # False: threats/plans/negation do not block (e.g. negated outages)
    any_in_text: bool = False  # the `any` sets may match anywhere in the article
    require: tuple[str, ...] = ()  # attributes the extractors must find for the rule to fire

    @property
    def sets(self) -> frozenset[str]:
        return frozenset(self.all + self.any + self.none + tuple(s for _, s in self.attributes))


@dataclass(frozen=True, slots=True)
class RuleSet:
    lexicon: Lexicon
    rules: tuple[Rule, ...]


def default_dir() -> Path:
    return Path(str(resources.files("newswatch.analysis.rules") / "events"))


def _lexicon_entry(value: Any) -> dict[str, tuple[str, ...]]:
    # In a list each phrase is its own canonical value; a mapping names the canonical values.
    if isinstance(value, list):
        return {p.rstrip("*"): (p,) for p in value}
    return {k: tuple(v) for k, v in value.items()}


def _rule(d: Mapping[str, Any]) -> Rule:
    return Rule(
        slug=d["slug"],
        type=EventType(d["slug"].split(".", 1)[0]),
        all=tuple(d["all"]),
        any=tuple(d.get("any", ())),
        none=tuple(d.get("none", ())),
        window=d.get("window"),
        confidence=float(d.get("confidence", 0.8)),
        attributes=tuple(sorted(d.get("attributes", {}).items())),
        extract=tuple(d.get("extract", ())),
        unless=tuple(EventType(t) for t in d.get("unless", ())),
        modality=bool(d.get("modality", True)),
        any_in_text=d.get("any_scope") == "text",
        require=tuple(d.get("require", ())),
    )


def parse_files(docs: Iterable[tuple[str, Any]]) -> RuleSet:
    """Validate and merge (name, parsed YAML) documents; raises RuleFileError."""
    lexicon: Lexicon = {}
    rules: list[Rule] = []
    for name, doc in docs:
        errors = schema_errors("rules-events", doc)
        if errors:
            raise RuleFileError(f"{name}: {errors[0]['path']}: {errors[0]['message']}")
        for set_name, value in (doc.get("lexicon") or {}).items():
            if set_name in lexicon:
                raise RuleFileError(f"{name}: phrase set {set_name!r} defined twice")
            lexicon[set_name] = _lexicon_entry(value)
        rules.extend(_rule(r) for r in doc.get("rules") or ())
    _check(lexicon, rules)
    return RuleSet(lexicon, tuple(rules))


def _check(lexicon: Lexicon, rules: list[Rule]) -> None:
    slugs = [r.slug for r in rules]
    dupes = {s for s in slugs if slugs.count(s) > 1}
    if dupes:
        raise RuleFileError(f"duplicate rule slugs: {sorted(dupes)}")
    for r in rules:
        missing = r.sets - lexicon.keys()
        if missing:
            raise RuleFileError(f"{r.slug}: unknown phrase sets {sorted(missing)}")


def load_rules(directory: Path | None = None) -> RuleSet:
    """Read every *.yaml in the directory (sorted), validate, merge."""
    d = directory or default_dir()
    docs = [(p.name, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(d.glob("*.yaml"))]
    return parse_files(docs)
