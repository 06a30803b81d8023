"""What subscription filters look at: one article's analysis, flattened for fast matching."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from newswatch.domain.model import Analysis, Article

_WORD = re.compile(r"\w+")


# The planner normalises each article twice (its MinHash signature, then its view for matching):
# remembering the last few texts halves that. Keyword phrases of subscriptions pass through too.
@functools.lru_cache(maxsize=256)
def normalise(text: str) -> str:
    """Lower-case words joined by single spaces, so phrases match across punctuation."""
    return " ".join(_WORD.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class ArticleView:
    events: dict[str, float]  # event type -> highest confidence
    regions: frozenset[str]  # codes named, plus the country of every subdivision
    topics: dict[str, float]  # topic id -> score
    words: frozenset[str]
    text: str  # normalised, padded with spaces for phrase search


def region_codes(analysis: Analysis) -> frozenset[str]:
    """Regions the article names or locates an event in, with their countries (UA-63 -> UA)."""
    codes = set(analysis.region_codes)
    for e in analysis.events:
        codes.update(c for c in (e.location.country, e.location.subdivision) if c)
    codes.update({c.split("-", 1)[0] for c in codes})
    return frozenset(codes)


def view_of(article: Article, analysis: Analysis) -> ArticleView:
    events: dict[str, float] = {}
    for e in analysis.events:
        events[e.type.value] = max(events.get(e.type.value, 0.0), e.confidence)
    text = normalise(article.text)
    return ArticleView(
        events=events,
        regions=region_codes(analysis),
        topics={t.topic.value: t.score for t in analysis.topics},
        words=frozenset(text.split()),
        text=f" {text} ",
    )
