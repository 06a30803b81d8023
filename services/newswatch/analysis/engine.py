"""The analysis engine: topics, regions and events for one article.

Built once at start-up from its rule tables (`Analyzer.load()`), then pure:
`analyze(article)` depends on nothing but its input and those tables. The
stages, in order: topics (E7's classifier), regions (E4's resolver, which also
locates each event), events (rule-based detector).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol

from newswatch.analysis.events.detector import EventDetector
from newswatch.domain.model import Analysis, Article, Location, RegionMention, TopicScore
from newswatch.metrics_labels import Stage, StageTimer, untimed


class TopicClassifier(Protocol):
    def classify(self, article: Article) -> tuple[TopicScore, ...]:
        """Every topic's score, best first (the first is the primary topic)."""
        ...


class RegionResult(Protocol):
    @property
    def regions(self) -> tuple[RegionMention, ...]:
        """The article's regions, best first."""
        ...

    def locate(self, start: int, end: int) -> Location:
        """Where the event told in text[start:end] happened (sentence places, else article guess)."""
        ...


class RegionResolver(Protocol):
    def resolve(self, text: str) -> RegionResult: ...


@dataclass(frozen=True, slots=True)
class _NoRegions:
    regions: tuple[RegionMention, ...] = ()

    def locate(self, start: int, end: int) -> Location:
        return Location()


def _load_stage(module: str, cls: str) -> Any:
    """The stage's `cls.load()`, or None while that package is not in the tree yet."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise
    factory = getattr(mod, cls, None)
    return factory.load() if factory is not None else None


@dataclass(frozen=True)
class Analyzer:
    """Holds the compiled tables; safe to share between threads."""

    events: EventDetector
    topics: TopicClassifier | None = None
    regions: RegionResolver | None = None

    @classmethod
    def load(cls) -> Analyzer:
        """Compile every table once (seconds); raises if a rule file is invalid."""
        return cls(
            events=EventDetector.load(),
            topics=_load_stage("newswatch.analysis.topics", "TopicClassifier"),
            regions=_load_stage("newswatch.analysis.regions", "RegionResolver"),
        )

    def analyze(self, article: Article, timer: StageTimer = untimed) -> Analysis:
        """Pure; `timer` marks the topics/regions/events stage boundaries for metrics."""
        text = article.text
        with timer(Stage.TOPICS):
            topics = self.topics.classify(article) if self.topics else ()
        with timer(Stage.REGIONS):
            where: RegionResult = self.regions.resolve(text) if self.regions else _NoRegions()
        with timer(Stage.EVENTS):
            events = self.events.detect(text, where.locate)
        return Analysis(article_id=article.id, topics=topics, regions=where.regions, events=events)
