"""The analysis engine: topics, regions and events for one article.

Built once at start-up from its rule tables (`Analyzer.load()`), then pure:
`analyze(article)` depends on nothing but its input and those tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from newswatch.domain.model import Analysis, Article


@dataclass(frozen=True)
class Analyzer:
    """Holds the compiled tables; safe to share between threads."""

    @classmethod
    def load(cls) -> Analyzer:
        return cls()

    def analyze(self, article: Article) -> Analysis:
        # Placeholder until the topic, region and event stages land (issue 3).
        return Analysis(article_id=article.id, topics=(), regions=(), events=())
