"""The event detector: phrase hits grouped by sentence, rules evaluated per sentence."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newswatch.analysis.events.assemble import extracted, has_required, merge_repeats
from newswatch.analysis.events.context import claim_factor, is_blocked, words_between
from newswatch.analysis.events.dates import stated_date
from newswatch.analysis.events.matcher import Hit, PhraseMatcher, fold
from newswatch.analysis.events.rules import Rule, RuleSet, load_rules
from newswatch.analysis.text import Sentence, split_sentences
from newswatch.domain.model import Event, EventType, Evidence, Location

Locate = Callable[[int, int], Location]
Hits = Mapping[str, Sequence[Hit]]


@dataclass(frozen=True, slots=True)
class _Fired:
    rule: Rule
    trigger: Hit
    confidence: float


def _no_location(start: int, end: int) -> Location:
    return Location()


class EventDetector:
    """Compiled rule tables; `detect` is pure and thread-safe."""

    def __init__(self, ruleset: RuleSet) -> None:
        self._matcher = PhraseMatcher(ruleset.lexicon, frozenset(r.all[0] for r in ruleset.rules))
        self._rules = ruleset.rules
        self._required = [frozenset(r.all) for r in ruleset.rules]
        self._unless = {r.slug: r.unless for r in ruleset.rules}

    @classmethod
    def load(cls, directory: Path | None = None) -> EventDetector:
        """Read, validate and compile the rule files (raises RuleFileError)."""
        return cls(load_rules(directory))

    def detect(self, text: str, locate: Locate = _no_location) -> tuple[Event, ...]:
        """Every event the text reports; offsets in evidence index into `text`."""
        folded = fold(text)
        hits = _unmasked(self._matcher.scan(folded))
        in_text = frozenset(h.set for h in hits)
        # Most articles report no event: skip sentence work unless some rule can fire.
        rules = [(r, req) for r, req in zip(self._rules, self._required, strict=True) if req <= in_text]
        if not rules:
            return ()
        triggers = {r.all[0] for r, _ in rules}
        sentences = split_sentences(text)
        starts = [s.start for s in sentences]
        grouped: dict[int, dict[str, list[Hit]]] = {}
        for h in hits:
            i = bisect_right(starts, h.start) - 1
            if i >= 0 and h.end <= sentences[i].end:
                grouped.setdefault(i, {}).setdefault(h.set, []).append(h)
        # Conflict logs state the date once, up front: it dates the whole note.
        fallback = stated_date(sentences[0].text) if sentences else None
        events: list[Event] = []
        for i, by_set in sorted(grouped.items()):
            if triggers.isdisjoint(by_set):
                continue
            s = sentences[i]
            events.extend(self._sentence_events(text, folded, s, by_set, rules, in_text, locate, fallback))
        found = {e.type for e in events}
        kept = [e for e in events if not any(t in found for t in self._unless[e.rule])]
        return merge_repeats(kept)

    def _sentence_events(
        self,
        text: str,
        folded: str,
        s: Sentence,
        by_set: Hits,
        rules: list[tuple[Rule, frozenset[str]]],
        in_text: frozenset[str],
        locate: Locate,
        fallback: str | None,
    ) -> list[Event]:
        present = by_set.keys()
        fired: dict[EventType, _Fired] = {}
        for rule, required in rules:
            if not required <= present or not self._admits(rule, present, in_text):
                continue
            trigger = self._trigger(rule, folded, s, by_set)
            if trigger is None or (rule.require and not has_required(rule, s, by_set, trigger)):
                continue
            conf = rule.confidence * claim_factor(by_set)
            if rule.type not in fired or conf > fired[rule.type].confidence:
                fired[rule.type] = _Fired(rule, trigger, conf)
        if not fired:
            return []
        location = locate(s.start, s.end)
        occurred = stated_date(s.text) or fallback
        return [self._event(text, s, f, by_set, location, occurred) for f in fired.values()]

    @staticmethod
    def _admits(rule: Rule, present: Any, in_text: frozenset[str]) -> bool:
        scope = in_text if rule.any_in_text else present
        if rule.any and not any(a in scope for a in rule.any):
            return False
        return not any(n in present for n in rule.none)

    @staticmethod
    def _trigger(rule: Rule, folded: str, s: Sentence, by_set: Hits) -> Hit | None:
        question = s.text.rstrip().endswith("?")
        for t in by_set[rule.all[0]]:
            if rule.window is not None and not all(
                any(_distance(folded, t, h) <= rule.window for h in by_set[other]) for other in rule.all[1:]
            ):
                continue
            if rule.modality and any(
                is_blocked(folded, question, h, by_set) for h in _anchors(rule, t, by_set)
            ):
                continue
            return t
        return None

    @staticmethod
    def _event(
        text: str, s: Sentence, f: _Fired, by_set: Hits, location: Location, occurred: str | None
    ) -> Event:
        attrs: dict[str, Any] = {}
        for name, set_name in f.rule.attributes:
            if set_name in by_set:
                attrs[name] = min(by_set[set_name], key=lambda h: abs(h.start - f.trigger.start)).value
        attrs.update(extracted(f.rule, s, by_set, f.trigger))
        if f.confidence < f.rule.confidence:
            attrs["claimed"] = True
        evidence = Evidence(s.text, s.start, s.end)
        return Event(f.rule.type, round(f.confidence, 4), f.rule.slug, evidence, location, attrs, occurred)


def _unmasked(hits: list[Hit]) -> list[Hit]:
    """Drop hits inside a `mask` phrase: "heart attack", "port city" and "strike a deal"
    contain trigger words but report no event."""
    masks = [h for h in hits if h.set == "mask"]
    if not masks:
        return hits
    return [
        h for h in hits if h.set != "mask" and not any(m.start <= h.start and h.end <= m.end for m in masks)
    ]


def _anchors(rule: Rule, trigger: Hit, by_set: Hits) -> list[Hit]:
    """The trigger and, per other required set, its hit nearest the trigger.

    A cue governing either blocks the match: in "fear of the next bombing of its
    power plants by missiles" the cue governs "bombing", not the trigger "missiles".
    """
    out = [trigger]
    for other in rule.all[1:]:
        out.append(min(by_set[other], key=lambda h: abs(h.start - trigger.start)))
    return out


def _distance(folded: str, a: Hit, b: Hit) -> int:
    return (
        words_between(folded, a.end, b.start) if a.end <= b.start else words_between(folded, b.end, a.start)
    )
