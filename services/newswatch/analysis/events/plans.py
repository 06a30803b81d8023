"""Per-rule tables computed once at load: what the per-sentence loop reads for each rule.

A `Rule` keeps the file's shape (tuples in file order); a `Plan` holds the same
conditions as sets ready for C-level tests against a sentence's present sets, so the
hot loop makes no generator or helper call per rule.
"""

from __future__ import annotations

from typing import NamedTuple

from newswatch.analysis.events.rules import Rule
from newswatch.domain.model import EventType


class Plan(NamedTuple):
    rule: Rule
    type: EventType
    confidence: float
    required: frozenset[str]  # every `all` set
    none: frozenset[str]
    any: frozenset[str]  # empty: no `any` condition
    any_in_text: bool
    trigger: str  # the trigger set (all[0])
    others: tuple[str, ...]  # all[1:], in file order
    window: int | None
    modality: bool
    require: tuple[str, ...]


def plan(rule: Rule) -> Plan:
    return Plan(
        rule,
        rule.type,
        rule.confidence,
        frozenset(rule.all),
        frozenset(rule.none),
        frozenset(rule.any),
        rule.any_in_text,
        rule.all[0],
        rule.all[1:],
        rule.window,
        rule.modality,
        rule.require,
    )
