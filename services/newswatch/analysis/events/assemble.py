"""Turning a fired rule into an Event: computed attributes, and merging retold events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from newswatch.analysis.events.attributes import EXTRACTOR_SETS, EXTRACTORS, TRIGGER_EXTRACTORS
from newswatch.analysis.events.matcher import Hit
from newswatch.analysis.events.rules import Rule
from newswatch.analysis.text import Sentence
from newswatch.domain.model import Event, EventType, Location

Hits = Mapping[str, Sequence[Hit]]


Memo = dict[tuple[str, Hit | None], dict[str, Any]]


def extracted(
    rule: Rule, s: Sentence, by_set: Hits, trigger: Hit, memo: Memo | None = None
) -> dict[str, Any]:
    """The rule's computed attributes; extractors see offsets relative to the sentence.

    `memo` (one per sentence) shares results between rules: most extractors read only
    the sentence, the rest the trigger too.
    """
    if not rule.extract:
        return {}
    memo = {} if memo is None else memo
    out: dict[str, Any] = {}
    for name in rule.extract:
        key = (name, trigger if name in TRIGGER_EXTRACTORS else None)
        got = memo.get(key)
        if got is None:
            wanted = (k for k in EXTRACTOR_SETS.get(name, ()) if k in by_set)
            local = {k: [_shift(h, s.start) for h in by_set[k]] for k in wanted}
            got = memo[key] = EXTRACTORS[name](s.text, local, _shift(trigger, s.start))
        out.update(got)
    return out


def merge_repeats(events: list[Event]) -> tuple[Event, ...]:
    """One event per (type, location): the first report told as news (else the first), its
    attributes completed by repeats.

    Articles retell the same occurrence ("troops fled ... the fleeing units"); distinct
    places stay distinct events.
    """
    merged: dict[tuple[EventType, Location], Event] = {}
    for e in events:
        key = (e.type, e.location)
        first = merged.get(key)
        if first is None:
            merged[key] = e
            continue
        if first.attributes.get("background") and not e.attributes.get("background"):
            # Told as news after a background mention: the news report leads.
            first, e = e, first
        attrs = {**e.attributes, **first.attributes}
        if not first.attributes.get("background"):
            attrs.pop("background", None)
        conf = max(first.confidence, e.confidence)
        # Built directly: dataclasses.replace costs ~3x a constructor call (field introspection).
        occurred = first.occurred or e.occurred
        merged[key] = Event(first.type, conf, first.rule, first.evidence, first.location, attrs, occurred)
    return tuple(merged.values())


def _shift(h: Hit, by: int) -> Hit:
    return _new(Hit, (h.start - by, h.end - by, h.set, h.value))


_new = tuple.__new__  # skips the NamedTuple's Python-level __new__
