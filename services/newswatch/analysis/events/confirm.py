"""The learned confirmer: rules propose an event, a small logistic model over its sentence confirms it.

Rules keep what they are good at: the evidence sentence, the attributes, the explanation
(`rule`). Hand-widening them until every labelled sentence fires stops measuring anything, so
the broad proposals (`<type>.candidate_*` rules) and, for the types the training script found
it helps, every rule's event are kept only when the model scores the sentence as reporting that
type. Features are the sentence's words and word pairs and the rule's slug, each joined with
the event type and hashed (CRC-32, stable across processes and platforms) into `dim` buckets.

The weights ship as a small JSON file (`rules/events/confirmer.json`) written by
`scripts/train_confirmer.py` (fixed seed, dev + the corpus' training part); scoring is a sum of
a few dozen dictionary lookups, no numpy.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from newswatch.domain.model import Event

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
CANDIDATE_MARK = ".candidate_"


def default_path() -> Path:
    return Path(str(resources.files("newswatch.analysis.rules") / "events" / "confirmer.json"))


# The actors the rule files name, by the country whose forces they are.
ACTOR_COUNTRY = {"russia": "RU", "ukraine": "UA", "israel": "IL", "belarus": "BY", "hamas": "PS"}
_ATTRIBUTES = ("actor", "weapon", "facility")


def context_names(sentence_sets: Iterable[str], article_sets: Iterable[str]) -> frozenset[str]:
    """The cue classes around a proposal: the phrase sets hit in its sentence (`s:`) and anywhere
    in the article (`d:`, what the other sentences add: a headline's summary, a report's lead)."""
    return frozenset([*(f"s:{n}" for n in sentence_sets), *(f"d:{n}" for n in article_sets)])


def event_features(e: Event, context: Iterable[str] = ()) -> list[str]:
    """The named features of one proposed event (the training script hashes the same names).

    Besides the words: the rule, the attributes the rule found and where the event is placed,
    and whether the acting force is placed outside its own country (forces in the neighbour's
    land are what a border crossing is).
    """
    t = e.type.value
    out = feature_names(t, e.rule, e.evidence.sentence)
    attrs = e.attributes
    for name in _ATTRIBUTES:
        value = attrs.get(name)
        out.append(f"{t}|a|{name}={value if isinstance(value, str) else bool(value)}")
    where = e.location.country
    out.append(f"{t}|loc|{where}")
    actor = ACTOR_COUNTRY.get(str(attrs.get("actor")))
    if actor and where:
        out.append(f"{t}|actor_abroad|{actor != where}")
    if attrs.get("claimed"):
        out.append(f"{t}|claimed")
    if e.evidence.start == 0:
        out.append(f"{t}|first_sentence")
    out += [f"{t}|c|{name}" for name in context]
    return out


def feature_names(event_type: str, slug: str, sentence: str) -> list[str]:
    """The sentence's and rule's features: words, word pairs, slug, each joined with the type."""
    words = _WORD.findall(sentence.lower())
    out = [f"{event_type}|bias", f"{event_type}|r|{slug}"]
    out += [f"{event_type}|w|{w}" for w in words]
    out += [f"{event_type}|b|{a} {b}" for a, b in pairwise(words)]
    return out


def hashed(names: Iterable[str], dim: int) -> list[int]:
    return [zlib.crc32(n.encode("utf-8")) % dim for n in names]


@dataclass(frozen=True, slots=True)
class Confirmer:
    dim: int
    threshold: float
    candidate_threshold: float  # the broad proposals need more evidence than the precise rules
    types: frozenset[str]  # types whose every event is judged; candidates are judged always
    weights: dict[int, float]
    # Per-type bars for the broad proposals (cross-validated on the training data); a type
    # not listed uses `candidate_threshold`.
    candidate_thresholds: dict[str, float] = field(default_factory=dict)
    # Per-type bars for the judged types' precise rules; a type not listed uses `threshold`.
    thresholds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Confirmer:
        return cls.from_document(json.loads((path or default_path()).read_text(encoding="utf-8")))

    @classmethod
    def from_document(cls, d: dict[str, Any]) -> Confirmer:
        """From the weights file's content (the training script's cross-validation builds one in memory)."""
        return cls(
            int(d["dim"]),
            float(d["threshold"]),
            float(d.get("candidate_threshold", d["threshold"])),
            frozenset(d["types"]),
            {int(k): float(v) for k, v in d["weights"].items()},
            {str(k): float(v) for k, v in d.get("candidate_thresholds", {}).items()},
            {str(k): float(v) for k, v in d.get("thresholds", {}).items()},
        )

    def probability(self, e: Event, context: Iterable[str] = ()) -> float:
        w = self.weights
        z = sum(w.get(i, 0.0) for i in hashed(event_features(e, context), self.dim))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def confirm(self, events: Sequence[Event | tuple[Event, frozenset[str]]]) -> list[Event]:
        """The events the model confirms (the others it judges are dropped); each event may come
        with its context (`context_names`)."""
        out = []
        for item in events:
            e, context = item if isinstance(item, tuple) else (item, frozenset[str]())
            if CANDIDATE_MARK in e.rule:
                bar = self.candidate_thresholds.get(e.type.value, self.candidate_threshold)
            elif e.type.value in self.types:
                bar = self.thresholds.get(e.type.value, self.threshold)
            else:
                out.append(e)
                continue
            if self.probability(e, context) >= bar:
                out.append(e)
        return out
