"""Render an EvalResult as plain text or Markdown (pure string building)."""

from __future__ import annotations

from newswatch.analysis.eval.metrics import PRF
from newswatch.analysis.eval.runner import KEY_TYPES, EvalResult, Miss, ViewFigures, worst_misses


def _table(rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        head, *body = rows
        return [
            "| " + " | ".join(head) + " |",
            "|" + "---|" * len(head),
            *("| " + " | ".join(r) + " |" for r in body),
        ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _prf_rows(scores: dict[str, PRF]) -> list[list[str]]:
    rows = [["label", "P", "R", "F1", "tp", "fp", "fn"]]
    for name, s in scores.items():
        if s.defined and not s.support:
            # Predicted but never labelled: the file may not label this type at all.
            rows.append([f"{name} (unlabelled?)", "-", "-", "-", str(s.tp), str(s.fp), str(s.fn)])
        elif s.defined:
            figures = [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]
            rows.append([name, *figures, str(s.tp), str(s.fp), str(s.fn)])
    return rows


def _miss_lines(misses: list[Miss], markdown: bool) -> list[str]:
    out = []
    for m in misses:
        rule = f" rule={m.rule}" if m.rule else ""
        text = " ".join(m.evidence.split())
        prefix = "- " if markdown else "  "
        out.append(f"{prefix}{m.kind} {m.event_type} [{m.record_id}] conf={m.confidence:.2f}{rule}: {text}")
    return out


def _view_rows(views: dict[str, ViewFigures]) -> list[list[str]]:
    head = ["kind", "records"]
    for t in KEY_TYPES:
        head += [f"{t} P", "R", "tp/fp/fn"]
    head += ["conflict macro-F1", "location country", "subdivision in regions", "hard-negative fires"]
    rows = [head]
    for view, v in views.items():
        row = [view, str(v.records)]
        for t in KEY_TYPES:
            s = v.key[t]
            row += [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.tp}/{s.fp}/{s.fn}"]
        row.append(f"{v.conflict_macro_f1:.3f}")
        for r in (v.location_country, v.subdivision_in_regions, v.hard_negative_fires):
            row.append(f"{r.value:.3f} ({r.hits}/{r.n})")
        rows.append(row)
    return rows


def render(result: EvalResult, worst: int = 20, markdown: bool = False) -> str:
    h = (lambda s: f"## {s}") if markdown else (lambda s: f"== {s} ==")
    reg = result.regions
    lines = ["# newswatch eval" if markdown else "newswatch eval", ""]
    lines += [f"records: {result.records}, event-labelled: {result.event_records}", ""]
    lines += [h("Events (event-labelled records)"), "", *_table(_prf_rows(result.events), markdown), ""]
    lines += [f"conflict macro-F1 (11 types): {result.conflict_macro_f1:.3f}", ""]
    by_kind = ", ".join(f"{k or '(no kind)'} {v:.3f}" for k, v in result.conflict_macro_f1_by_kind.items())
    lines += [f"by kind: {by_kind}", ""] if by_kind else []
    for mode, views in result.views.items():
        lines += [h(f"By kind of text, {mode}"), "", *_table(_view_rows(views), markdown), ""]
    lines += [h("Regions (event-labelled records with a country label)"), ""]
    bullet = "- " if markdown else ""
    lines += [
        f"{bullet}records: {reg.records}",
        f"{bullet}country among predicted: {reg.country_accuracy:.3f} ({reg.country_hits}/{reg.records})",
        f"{bullet}subdivision among predicted: {reg.admin1_accuracy:.3f}"
        f" ({reg.admin1_hits}/{reg.admin1_records})",
        f"{bullet}spurious other country: {reg.spurious_rate:.3f} ({reg.spurious}/{reg.records})",
        "",
    ]
    lines += [h(f"Topics (primary topic, {result.topic_records} topic-only records)"), ""]
    lines += [
        *_table(_prf_rows(result.topics), markdown),
        "",
        f"topic macro-F1: {result.topic_macro_f1:.3f}",
        "",
    ]
    lines += [
        h(f"Worst misses (up to {worst})"),
        "",
        *_miss_lines(worst_misses(result.misses, worst), markdown),
    ]
    return "\n".join(lines) + "\n"
