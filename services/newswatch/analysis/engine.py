"""The analysis engine: topics, regions and events for one article.

Built once at start-up from its rule tables (`Analyzer.load()`), then pure:
`analyze(article)` depends on nothing but its input and those tables. The
stages, in order: language (which says whether topics and events apply), topics (linear
model + lexicons), regions (gazetteer resolver, which also locates each event), events
(rule-based detector).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from newswatch.analysis.events.detector import EventDetector
from newswatch.analysis.language import Coverage, coverage, detect_language
from newswatch.analysis.regions import RegionResolver as GazetteerResolver
from newswatch.analysis.topics import TopicClassifier as LinearTopics
from newswatch.domain.model import Analysis, Article, Location, RegionMention, TopicScore
from newswatch.domain.stages import Stage, StageTimer, untimed


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


@dataclass(frozen=True)
class Analyzer:
    """Holds the compiled tables; safe to share between threads.

    `topics` and `regions` may be left out (tests of one stage); `load()` builds all three.
    """

    events: EventDetector
    topics: TopicClassifier | None = None
    regions: RegionResolver | None = None

    @classmethod
    def load(cls) -> Analyzer:
        """Compile every table once (seconds); raises if a rule file is invalid."""
        return cls(events=EventDetector.load(), topics=LinearTopics.load(), regions=GazetteerResolver.load())

    def analyze(self, article: Article, timer: StageTimer = untimed) -> Analysis:
        """Pure; `timer` marks the topics/regions/events stage boundaries for metrics."""
        text = article.text
        language = detect_language(text, article.language)
        covered = coverage(language)
        full = covered is Coverage.FULL  # otherwise the English rules would only find noise
        with timer(Stage.TOPICS):
            topics = self.topics.classify(article) if self.topics and full else ()
        with timer(Stage.REGIONS):
            where: RegionResult = self.regions.resolve(text) if self.regions else _NoRegions()
        with timer(Stage.EVENTS):
            events = self.events.detect(text, where.locate, article.published_at) if full else ()
        return Analysis(article.id, topics, where.regions, events, language, covered.value)
