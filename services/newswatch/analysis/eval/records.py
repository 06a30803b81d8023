"""Labelled records in the dev-set JSONL format (see shared data README)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from newswatch.analysis.eval.split import text_view
from newswatch.domain.model import Article


@dataclass(frozen=True, slots=True)
class LabelledRecord:
    """One labelled line: the article to analyse and its gold labels."""

    id: str
    kind: str
    article: Article
    events: frozenset[str]
    events_labeled: bool
    country: str | None
    admin1_iso: str | None
    topics: frozenset[str]
    topics_complete: bool
    view: str = ""  # notes, headlines+summaries or full articles (split.VIEWS)
    hard_negative: bool = False  # key-type vocabulary without the key event


def _published_at(date: str | None) -> str | None:
    # The format gives a calendar date; the article contract wants a date-time.
    if not date:
        return None
    return date if "T" in date else f"{date}T00:00:00Z"


def record_from_dict(d: dict[str, Any]) -> LabelledRecord:
    """Build a record; raises KeyError/TypeError when `id` or `text` is missing."""
    labels = d.get("labels") or {}
    article = Article(
        id=str(d["id"]),
        body=str(d["text"]),
        title=d.get("title") or None,
        published_at=_published_at(d.get("date")),
    )
    return LabelledRecord(
        id=article.id,
        kind=str(d.get("kind") or ""),
        article=article,
        events=frozenset(labels.get("events") or ()),
        events_labeled=bool(labels.get("events_labeled")),
        country=labels.get("country") or None,
        admin1_iso=labels.get("admin1_iso") or None,
        topics=frozenset(labels.get("topics") or ()),
        topics_complete=bool(labels.get("topics_complete")),
        view=text_view(str(d.get("kind") or ""), article.id, (d.get("orig") or {}).get("text_type")),
        hard_negative=bool(d.get("hard_negative")),
    )


def read_records(lines: Iterable[str]) -> Iterator[LabelledRecord]:
    """Parse every non-blank line; raises ValueError naming the bad line."""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield record_from_dict(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"line {lineno}: not a labelled record: {exc!r}") from exc
