"""The event detector: phrase hits grouped by sentence, rules evaluated per sentence."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from newswatch.analysis.events.assemble import Memo, extracted, merge_repeats
from newswatch.analysis.events.confirm import CANDIDATE_MARK, Confirmer, context_names
from newswatch.analysis.events.context import GOVERNING_SETS, claim_factor
from newswatch.analysis.events.dates import stated_date
from newswatch.analysis.events.matcher import Hit, PhraseMatcher, padded_text
from newswatch.analysis.events.plans import Plan, plan
from newswatch.analysis.events.rules import Rule, RuleSet, load_rules
from newswatch.analysis.events.scope import (
    ArticleScope,
    BlockedCache,
    Hits,
    anchors,
    nearest,
    sentence_hits,
    within,
)
from newswatch.analysis.events.sentences import sentence_at
from newswatch.analysis.events.timeframe import weigh_by_time
from newswatch.analysis.text import Sentence
from newswatch.domain.model import Event, EventType, Evidence, Location

Locate = Callable[[int, int], Location]
_CANDIDATE_CACHE_SIZE = 4096
# "Why has Ukraine launched a raid into Russia?" asks about a raid that happened: a question
# opening with why/how/what (not "what if") presupposes its event; yes/no questions do not.
_PRESUPPOSING = re.compile(r"\s*(?:why|how|what(?! if\b)|where|who)\b", re.IGNORECASE)


class _Fired(NamedTuple):
    rule: Rule
    trigger: Hit
    confidence: float
    extracted: dict[str, Any] | None = None  # already computed when the rule requires attributes


def _no_location(start: int, end: int) -> Location:
    return Location()


class EventDetector:
    """Compiled rule tables; `detect` is pure and thread-safe."""

    def __init__(self, ruleset: RuleSet, timeframe: bool = True, confirmer: Confirmer | None = None) -> None:
        """`confirmer` judges the rules' proposals; without one, the broad `candidate` rules'
        events are dropped and every other rule's kept."""
        self._timeframe = timeframe
        self._confirmer = confirmer
        self._matcher = PhraseMatcher(ruleset.lexicon, frozenset(r.all[0] for r in ruleset.rules))
        self._plans = tuple(plan(r) for r in ruleset.rules)
        self._unless = {r.slug: r.unless for r in ruleset.rules}
        # Rule indices by trigger set, so a sentence only tries the rules it can fire
        # (kept in file order: the first of equally confident rules wins).
        by_trigger: dict[str, list[int]] = {}
        for i, r in enumerate(ruleset.rules):
            by_trigger.setdefault(r.all[0], []).append(i)
        self._by_trigger = {k: tuple(v) for k, v in by_trigger.items()}
        self._trigger_sets = frozenset(by_trigger)
        self._candidate_cache: dict[frozenset[str], tuple[Plan, ...]] = {}

    @classmethod
    def load(cls, directory: Path | None = None) -> EventDetector:
        """Read, validate and compile the rule files and the confirmer's weights (raises RuleFileError)."""
        return cls(load_rules(directory), confirmer=Confirmer.load())

    def detect(
        self, text: str, locate: Locate = _no_location, published: str | None = None
    ) -> tuple[Event, ...]:
        """Every event the text reports; offsets in evidence index into `text`.

        Events the text marks as earlier than the news (relative to `published`, the
        article's date, when given) are kept as background mentions.

        One pass of the trigger automaton over the whole text; only the sentences
        holding a trigger are then cut out and scanned for every phrase set.
        """
        if self._confirmer is not None:
            judged = self._judged
            found = self.proposals_in_context(text, locate, judged)
            if not found:
                return ()
            events = self._confirmer.confirm(found)
        else:
            events = [e for e in self.proposals(text, locate) if CANDIDATE_MARK not in e.rule]
            if not events:
                return ()
        types = {e.type for e in events}
        kept = [e for e in events if not any(t in types for t in self._unless[e.rule])]
        if self._timeframe:
            kept = weigh_by_time(kept, text, published)
        return merge_repeats(kept)

    def proposals(self, text: str, locate: Locate = _no_location) -> list[Event]:
        """Every rule's event, sentence by sentence, before the confirmer and the time frame."""
        return [e for e, _ in self.proposals_in_context(text, locate, lambda e: False)]

    def _judged(self, e: Event) -> bool:
        c = self._confirmer
        return CANDIDATE_MARK in e.rule or (c is not None and e.type.value in c.types)

    def proposals_in_context(
        self, text: str, locate: Locate = _no_location, judged: Callable[[Event], bool] = lambda e: True
    ) -> list[tuple[Event, frozenset[str]]]:
        """`proposals` with, for each event the confirmer will judge (`judged`), the names of the
        phrase sets with a hit in its sentence and in the whole article: the cue classes (modal,
        negation, hard-negative, actor, neighbouring land...) the confirmer reads beside the words."""
        padded = padded_text(text)
        starts = self._matcher.trigger_starts(padded)
        if not starts:
            return []
        article = ArticleScope(text, padded, self._matcher)
        events: list[tuple[Event, frozenset[str]]] = []
        end = -1
        for at in sorted(starts):
            if at < end:
                continue  # same sentence as the previous trigger
            s = sentence_at(text, at)
            end = s.end
            by_set = sentence_hits(self._matcher, padded, s)
            if not self._triggers_in(by_set):
                continue
            found = self._sentence_events(article, s, by_set, locate)
            if not found:
                continue
            context: frozenset[str] = frozenset()
            if any(judged(e) for e in found):
                context = context_names(by_set.keys(), article.sets())
            events.extend((e, context if judged(e) else frozenset()) for e in found)
        return events

    def _triggers_in(self, by_set: Hits) -> bool:
        return not self._trigger_sets.isdisjoint(by_set)

    def _sentence_events(
        self, article: ArticleScope, s: Sentence, by_set: Hits, locate: Locate
    ) -> list[Event]:
        present = by_set.keys()
        factor = claim_factor(by_set)
        question = s.text.rstrip().endswith("?") and _PRESUPPOSING.match(s.text) is None
        # Without a cue set (or a question) nothing can block: skip anchors and modality.
        blocked = (
            BlockedCache(article.folded(), question, by_set)
            if question or not present.isdisjoint(GOVERNING_SETS)
            else None
        )
        memo: Memo = {}
        fired: dict[EventType, _Fired] = {}
        for p in self._candidates(present):
            conf = p.confidence * factor
            prior = fired.get(p.type)
            # Only a more confident rule replaces one that fired: skip the rest unevaluated.
            if prior is not None and conf <= prior.confidence:
                continue
            if not p.required <= present or not present.isdisjoint(p.none):
                continue
            # An `any` set missing from the sentence: some rules accept it anywhere in the article.
            if (
                p.any
                and present.isdisjoint(p.any)
                and not (p.any_in_text and not p.any.isdisjoint(article.sets()))
            ):
                continue
            trigger = self._trigger(p, article.text, by_set, blocked)
            if trigger is None:
                continue
            rule = p.rule
            attrs = extracted(rule, s, by_set, trigger, memo) if p.require else None
            if attrs is not None and not all(name in attrs for name in p.require):
                continue
            fired[p.type] = _Fired(rule, trigger, conf, attrs)
        if not fired:
            return []
        location = locate(s.start, s.end)
        occurred = stated_date(s.text) or article.fallback_date()
        evidence = Evidence(s.text, s.start, s.end)
        return [self._event(s, f, by_set, location, occurred, memo, evidence) for f in fired.values()]

    def _candidates(self, present: Iterable[str]) -> tuple[Plan, ...]:
        """The rules whose trigger set has a hit, in file order."""
        key = self._trigger_sets.intersection(present)
        got = self._candidate_cache.get(key)
        if got is None:
            # Few distinct trigger combinations occur (bounded all the same); a race between
            # threads only computes one twice.
            if len(self._candidate_cache) > _CANDIDATE_CACHE_SIZE:
                self._candidate_cache.clear()
            order = sorted(i for k in key for i in self._by_trigger[k])
            got = self._candidate_cache[key] = tuple(self._plans[i] for i in order)
        return got

    @staticmethod
    def _trigger(p: Plan, text: str, by_set: Hits, blocked: BlockedCache | None) -> Hit | None:
        """The first trigger hit with the other sets near enough and no cue blocking it."""
        window, others = p.window, p.others
        for t in by_set[p.trigger]:
            if window is not None and not all(
                any(within(text, t, h, window) for h in by_set[other]) for other in others
            ):
                continue
            if blocked is not None and p.modality and any(blocked(h, t) for h in anchors(p.rule, t, by_set)):
                continue
            return t
        return None

    @staticmethod
    def _event(
        s: Sentence,
        f: _Fired,
        by_set: Hits,
        location: Location,
        occurred: str | None,
        memo: Memo,
        evidence: Evidence,
    ) -> Event:
        rule, at = f.rule, f.trigger.start
        attrs: dict[str, Any] = {}
        for name, set_name in rule.attributes:
            hits = by_set.get(set_name)
            if hits:
                attrs[name] = nearest(hits, at).value
        computed = f.extracted if f.extracted is not None else extracted(rule, s, by_set, f.trigger, memo)
        attrs.update(computed)
        if f.confidence < rule.confidence:
            attrs["claimed"] = True
        return Event(rule.type, round(f.confidence, 4), rule.slug, evidence, location, attrs, occurred)
