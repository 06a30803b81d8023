"""Why an alert matched its subscription: per filter kind, the value that matched and where (pure).

Filters combine as AND across kinds and OR within a kind, so each kind a subscription sets lists
the values that matched at least once: an event type on the story's most confident event of that
type, a region on an event located there (or on the story's articles), a topic with the story's
score, a keyword in the article that triggered the alert.
"""

from __future__ import annotations

from typing import Any

from newswatch.alerts.filters import has_keyword
from newswatch.alerts.ports import Filters
from newswatch.alerts.view import ArticleView


def matched(
    f: Filters, facts: dict[str, Any], view: ArticleView | None, article_id: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    events = facts["events"]  # most confident first
    if f.event_types:
        out["event_types"] = [
            _on_event(t, e)
            for t in f.event_types
            if (
                e := next((e for e in events if e["type"] == t and e["confidence"] >= f.min_confidence), None)
            )
        ]
    if f.regions:
        out["regions"] = [hit for r in f.regions if (hit := _region(r, events, facts["regions"])) is not None]
    if f.topics:
        scores = {t["id"]: t["score"] for t in facts["topics"]}
        out["topics"] = [
            {"value": t.id, "score": scores[t.id]} for t in f.topics if scores.get(t.id, -1.0) >= t.min_score
        ]
    if f.keywords and view is not None:
        out["keywords"] = [{"value": k, "article_id": article_id} for k in f.keywords if has_keyword(k, view)]
    return out


def _on_event(value: str, e: dict[str, Any]) -> dict[str, Any]:
    return {"value": value, "event_type": e["type"], "article_id": e["evidence"].get("article_id")}


def _region(code: str, events: list[dict[str, Any]], regions: list[str]) -> dict[str, Any] | None:
    """The first event located in `code` (a country covers its subdivisions), else the story's regions."""
    for e in events:
        loc = e.get("location") or {}
        if any(
            c and (c == code or c.startswith(code + "-"))
            for c in (loc.get("subdivision"), loc.get("country"))
        ):
            return _on_event(code, e)
    if any(r == code or r.startswith(code + "-") for r in regions):
        return {"value": code, "event_type": None, "article_id": None}
    return None
