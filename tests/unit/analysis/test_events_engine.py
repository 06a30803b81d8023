"""The engine combines the stages and reports their boundaries to the stage timer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from newswatch.analysis.engine import Analyzer
from newswatch.analysis.events.detector import EventDetector
from newswatch.domain.model import Article, Location, RegionMention, Topic, TopicScore
from newswatch.domain.stages import Stage


class FixedTopics:
    def classify(self, article: Article) -> tuple[TopicScore, ...]:
        return (TopicScore(Topic.CONFLICT, 0.9),)


@dataclass(frozen=True)
class FixedResult:
    regions: tuple[RegionMention, ...] = (RegionMention("UA-63", "Kharkiv"),)

    def locate(self, start: int, end: int) -> Location:
        return Location("UA", "UA-63", "Kharkiv")


class FixedRegions:
    def resolve(self, text: str) -> FixedResult:
        return FixedResult()


def test_events_located_by_the_region_stage_and_stages_timed(detector: EventDetector) -> None:
    seen: list[Stage] = []

    @contextmanager
    def timer(stage: Stage) -> Iterator[None]:
        seen.append(stage)
        yield

    analyzer = Analyzer(detector, FixedTopics(), FixedRegions())
    article = Article(id="a1", body="Russian forces shelled the town, damaging several houses.")
    analysis = analyzer.analyze(article, timer)
    assert seen == [Stage.TOPICS, Stage.REGIONS, Stage.EVENTS]
    assert analysis.primary_topic is Topic.CONFLICT
    assert analysis.region_codes == {"UA-63"}
    (event,) = analysis.events
    assert (event.type.value, event.location.subdivision) == ("strike", "UA-63")


def test_missing_stages_leave_their_parts_empty(detector: EventDetector) -> None:
    analysis = Analyzer(detector).analyze(Article(id="a2", body="Shares rose on Monday."))
    assert (analysis.topics, analysis.regions, analysis.events) == ((), (), ())
