"""Score analyses against labelled records: a pure function of both."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from newswatch.analysis.eval.metrics import (
    PRF,
    RegionScore,
    label_scores,
    macro_f1,
    region_score,
    single_label_scores,
)
from newswatch.analysis.eval.records import LabelledRecord
from newswatch.analysis.eval.split import VIEWS
from newswatch.domain.model import CONFLICT_EVENT_TYPES, Analysis, Event, EventType

# Topic scoring covers the datasets whose topic labels are complete classes ("topic_only"),
# and files that give no kind at all (a user's own labelled data).
TOPIC_KINDS = frozenset({"topic_only", ""})


@dataclass(frozen=True, slots=True)
class Miss:
    """A false negative or false positive event type on one record."""

    kind: str  # "FN" or "FP"
    event_type: str
    record_id: str
    confidence: float
    evidence: str
    rule: str | None = None


KEY_TYPES = ("border_crossing", "power_plant_strike")
REPORTED, ALL_EVENTS = "reported only", "all events (background included)"
TOTAL = "all kinds"


@dataclass(frozen=True, slots=True)
class Ratio:
    hits: int = 0
    n: int = 0

    @property
    def value(self) -> float:
        return self.hits / self.n if self.n else 0.0


@dataclass(frozen=True, slots=True)
class ViewFigures:
    """The issue's figures for one kind of text, counting reported events or all of them."""

    records: int
    key: dict[str, PRF]
    conflict_macro_f1: float
    location_country: Ratio  # the located event's country is the labelled one
    subdivision_in_regions: Ratio  # the labelled subdivision is among the article's regions
    hard_negative_fires: Ratio  # hard negatives on which a key type not labelled fired


@dataclass(frozen=True, slots=True)
class EvalResult:
    records: int
    event_records: int
    events: dict[str, PRF]
    conflict_macro_f1: float
    regions: RegionScore
    topic_records: int
    topics: dict[str, PRF]
    topic_macro_f1: float
    misses: tuple[Miss, ...]
    conflict_macro_f1_by_kind: dict[str, float] = field(default_factory=dict)
    # mode (REPORTED or ALL_EVENTS) -> view (notes, headlines+summaries, full articles, TOTAL)
    views: dict[str, dict[str, ViewFigures]] = field(default_factory=dict)


def predicted_types(analysis: Analysis, reported: bool = True) -> frozenset[str]:
    """The types of the events reported as news (background mentions are not predictions);
    with `reported=False`, of every event."""
    events = analysis.reported_events if reported else analysis.events
    return frozenset(e.type.value for e in events)


def view_figures(pairs: Sequence[tuple[LabelledRecord, Analysis]], reported: bool) -> ViewFigures:
    """The issue's figures over event-labelled (record, analysis) pairs."""
    conflict = [t.value for t in CONFLICT_EVENT_TYPES]
    preds = [(r, a, predicted_types(a, reported)) for r, a in pairs]
    key = label_scores(((r.events, p) for r, _, p in preds), KEY_TYPES)
    macro = macro_f1(label_scores(((r.events, p) for r, _, p in preds), conflict).values())
    loc_hits = loc_n = sub_hits = sub_n = hn_fires = hn_n = 0
    for r, a, p in preds:
        events = a.reported_events if reported else a.events
        if r.country and events:
            loc_n += 1
            loc_hits += _located(events, r.events).location.country == r.country
        if r.admin1_iso:
            sub_n += 1
            sub_hits += r.admin1_iso in a.region_codes
        if r.hard_negative:
            hn_n += 1
            hn_fires += bool((p - r.events) & set(KEY_TYPES))
    return ViewFigures(
        len(preds), key, macro, Ratio(loc_hits, loc_n), Ratio(sub_hits, sub_n), Ratio(hn_fires, hn_n)
    )


def _located(events: Sequence[Event], gold: frozenset[str]) -> Event:
    """The event whose place is scored: the most confident of a labelled type, else of any."""
    labelled = [e for e in events if e.type.value in gold]
    return max(labelled or events, key=lambda e: e.confidence)


def evaluate(pairs: Sequence[tuple[LabelledRecord, Analysis]]) -> EvalResult:
    """All figures for (record, analysis) pairs."""
    labelled = [(r, a) for r, a in pairs if r.events_labeled]
    types = [t.value for t in EventType]
    events = label_scores(((r.events, predicted_types(a)) for r, a in labelled), types)
    conflict = macro_f1(events[t.value] for t in CONFLICT_EVENT_TYPES)
    by_kind = {
        kind: conflict_macro_f1([(r, a) for r, a in labelled if r.kind == kind])
        for kind in sorted({r.kind for r, _ in labelled})
    }
    regions = region_score((r.country, r.admin1_iso, a.region_codes) for r, a in labelled if r.country)
    topical = [(r, a) for r, a in pairs if r.topics_complete and r.kind in TOPIC_KINDS and r.topics]
    topics = single_label_scores(
        (r.topics, a.primary_topic.value if a.primary_topic else None) for r, a in topical
    )
    views = {
        mode: {
            view: view_figures(chosen, mode == REPORTED)
            for view, chosen in [
                (TOTAL, labelled),
                *((v, [(r, a) for r, a in labelled if r.view == v]) for v in VIEWS),
            ]
            if chosen
        }
        for mode in (REPORTED, ALL_EVENTS)
    }
    return EvalResult(
        views=views,
        records=len(pairs),
        event_records=len(labelled),
        events=events,
        conflict_macro_f1=conflict,
        regions=regions,
        topic_records=len(topical),
        topics=topics,
        topic_macro_f1=macro_f1(topics.values()),
        misses=tuple(m for r, a in labelled for m in record_misses(r, a)),
        conflict_macro_f1_by_kind=by_kind,
    )


def conflict_macro_f1(pairs: Sequence[tuple[LabelledRecord, Analysis]]) -> float:
    """Macro-F1 over the 11 conflict types for these (event-labelled) pairs."""
    conflict = [t.value for t in CONFLICT_EVENT_TYPES]
    return macro_f1(label_scores(((r.events, predicted_types(a)) for r, a in pairs), conflict).values())


def record_misses(record: LabelledRecord, analysis: Analysis) -> list[Miss]:
    """FNs (with the record's opening text) and FPs (with the firing event's evidence)."""
    pred = predicted_types(analysis)
    out = [Miss("FN", t, record.id, 1.0, record.article.text[:300]) for t in sorted(record.events - pred)]
    for t in sorted(pred - record.events):
        best = max((e for e in analysis.reported_events if e.type.value == t), key=lambda e: e.confidence)
        out.append(Miss("FP", t, record.id, best.confidence, best.evidence.sentence[:300], best.rule))
    return out


def worst_misses(misses: Iterable[Miss], n: int) -> list[Miss]:
    """Up to n misses, taken round-robin over (kind, type) so every failing type shows up.

    Within a type, the most confident FPs come first (the most misleading ones).
    """
    groups: dict[tuple[str, str], list[Miss]] = {}
    for m in sorted(misses, key=lambda m: (-m.confidence, m.record_id)):
        groups.setdefault((m.kind, m.event_type), []).append(m)
    queues = [groups[k] for k in sorted(groups, key=lambda k: -len(groups[k]))]
    out: list[Miss] = []
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop(0))
    return out
