"""Does a subscription's filter match an article? Pure; the index only narrows the candidates."""

from __future__ import annotations

from newswatch.alerts.ports import Filters
from newswatch.alerts.view import ArticleView, normalise


def matches(f: Filters, v: ArticleView) -> bool:
    """Every non-empty dimension must match (min_publishers is the story's business, not the article's)."""
    return (
        _events_match(f, v)
        and (not f.regions or any(r in v.regions for r in f.regions))
        and (not f.topics or any(v.topics.get(t.id, -1.0) >= t.min_score for t in f.topics))
        and (not f.keywords or any(has_keyword(k, v) for k in f.keywords))
    )


def _events_match(f: Filters, v: ArticleView) -> bool:
    # Only events of the wanted types count toward min_confidence; an article without
    # any event is never alerted on (alerts are about real-world events).
    wanted = f.event_types or tuple(v.events)
    return any(v.events.get(t, -1.0) >= f.min_confidence for t in wanted)


def has_keyword(keyword: str, v: ArticleView) -> bool:
    if " " not in keyword and keyword.isalnum():
        return keyword in v.words
    return f" {normalise(keyword)} " in v.text


def watches_articles(f: Filters) -> bool:
    """A region, topic or keyword subscription without event types: it alerts on articles that
    report no event too. A subscription with no filter at all stays on events only: every article
    of the feed is not news."""
    return not f.event_types and bool(f.topics or f.keywords or f.regions)


def matches_article(f: Filters, v: ArticleView) -> bool:
    """`matches` for an article that reports no event: regions, topics and keywords only (AND
    across them, any value within one)."""
    return (
        (not f.regions or any(r in v.regions for r in f.regions))
        and (not f.topics or any(v.topics.get(t.id, -1.0) >= t.min_score for t in f.topics))
        and (not f.keywords or any(has_keyword(k, v) for k in f.keywords))
    )
