"""Score analyses against labelled records: a pure function of both."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
from newswatch.domain.model import CONFLICT_EVENT_TYPES, Analysis, Article, EventType

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


def predicted_types(analysis: Analysis) -> frozenset[str]:
    """The types of the events reported as news (background mentions are not predictions)."""
    return frozenset(e.type.value for e in analysis.reported_events)


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
    return EvalResult(
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


def run_eval(records: Iterable[LabelledRecord], analyze: Callable[[Article], Analysis]) -> EvalResult:
    """Analyse every record's article with `analyze`, then score."""
    return evaluate([(r, analyze(r.article)) for r in records])
