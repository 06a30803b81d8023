"""Domain objects shared by every stage.

Plain frozen dataclasses: no transport, storage or clock concerns live here.
`to_dict` produces the JSON shape described by the versioned schemas in
`schemas/`; that shape is the public contract, these classes are not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

ANALYSIS_VERSION = "1"
# From this confidence an event counts as reported news (every rule's claims
# included); below it are background mentions, such as an event the text marks as earlier than
# the news ("last month"). Evaluation and alerts use reported events.
REPORTED_CONFIDENCE = 0.4


class Topic(StrEnum):
    """The 17 IPTC Media Topic top-level subjects (ids from spec/events.md)."""

    ARTS_CULTURE_ENTERTAINMENT = "arts_culture_entertainment"
    CRIME = "crime"
    DISASTER = "disaster"
    ECONOMY = "economy"
    EDUCATION = "education"
    ENVIRONMENT = "environment"
    HEALTH = "health"
    HUMAN_INTEREST = "human_interest"
    LABOUR = "labour"
    LIFESTYLE = "lifestyle"
    POLITICS = "politics"
    RELIGION = "religion"
    SCIENCE_TECHNOLOGY = "science_technology"
    SOCIETY = "society"
    SPORT = "sport"
    CONFLICT = "conflict"
    WEATHER = "weather"


IPTC_CODES: dict[Topic, str] = {
    Topic.ARTS_CULTURE_ENTERTAINMENT: "01000000",
    Topic.CRIME: "02000000",
    Topic.DISASTER: "03000000",
    Topic.ECONOMY: "04000000",
    Topic.EDUCATION: "05000000",
    Topic.ENVIRONMENT: "06000000",
    Topic.HEALTH: "07000000",
    Topic.HUMAN_INTEREST: "08000000",
    Topic.LABOUR: "09000000",
    Topic.LIFESTYLE: "10000000",
    Topic.POLITICS: "11000000",
    Topic.RELIGION: "12000000",
    Topic.SCIENCE_TECHNOLOGY: "13000000",
    Topic.SOCIETY: "14000000",
    Topic.SPORT: "15000000",
    Topic.CONFLICT: "16000000",
    Topic.WEATHER: "17000000",
}


class EventType(StrEnum):
    """The event catalogue of spec/events.md."""

    BORDER_CROSSING = "border_crossing"
    POWER_PLANT_STRIKE = "power_plant_strike"
    INFRASTRUCTURE_STRIKE = "infrastructure_strike"
    STRIKE = "strike"
    ARMED_CLASH = "armed_clash"
    TERRITORIAL_CHANGE = "territorial_change"
    RETREAT = "retreat"
    BLACKOUT = "blackout"
    CASUALTIES = "casualties"
    EQUIPMENT_LOSS = "equipment_loss"
    DISPLACEMENT = "displacement"
    NATURAL_DISASTER = "natural_disaster"
    PROTEST = "protest"
    CYBERATTACK = "cyberattack"


CONFLICT_EVENT_TYPES: tuple[EventType, ...] = (
    EventType.BORDER_CROSSING,
    EventType.POWER_PLANT_STRIKE,
    EventType.INFRASTRUCTURE_STRIKE,
    EventType.STRIKE,
    EventType.ARMED_CLASH,
    EventType.TERRITORIAL_CHANGE,
    EventType.RETREAT,
    EventType.BLACKOUT,
    EventType.CASUALTIES,
    EventType.EQUIPMENT_LOSS,
    EventType.DISPLACEMENT,
)


@dataclass(frozen=True, slots=True)
class Article:
    """An incoming news article (schemas/article.v1)."""

    id: str
    body: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: str | None = None
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Title and body as one analysable text (title first, own sentence)."""
        if self.title:
            return f"{self.title.rstrip()}\n{self.body}"
        return self.body

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        return cls(
            id=str(d["id"]),
            body=d["body"],
            title=d.get("title"),
            url=d.get("url"),
            source=d.get("source"),
            published_at=d.get("published_at"),
            language=d.get("language"),
            metadata=dict(d.get("metadata") or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, {})}


@dataclass(frozen=True, slots=True)
class TopicScore:
    topic: Topic
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.topic.value, "iptc": IPTC_CODES[self.topic], "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class RegionMention:
    """A region the article names: ISO 3166-1 alpha-2 or ISO 3166-2 code."""

    code: str
    name: str
    score: float = 1.0
    mentions: tuple[str, ...] = ()

    @property
    def country(self) -> str:
        return self.code.split("-", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "score": round(self.score, 4),
            "mentions": list(self.mentions),
        }


@dataclass(frozen=True, slots=True)
class Location:
    country: str | None = None
    subdivision: str | None = None
    place: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"country": self.country, "subdivision": self.subdivision, "place": self.place}


@dataclass(frozen=True, slots=True)
class Evidence:
    sentence: str
    start: int  # character offset of the sentence in Article.text
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    confidence: float
    rule: str  # stable slug of the rule that fired
    evidence: Evidence
    location: Location = Location()
    attributes: dict[str, Any] = field(default_factory=dict)
    occurred: str | None = None  # ISO date when stated

    @property
    def reported(self) -> bool:
        """Reported news, not a background mention (see `REPORTED_CONFIDENCE`)."""
        return self.confidence >= REPORTED_CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "confidence": round(self.confidence, 4),
            "rule": self.rule,
            "location": self.location.to_dict(),
            "evidence": self.evidence.to_dict(),
            "attributes": self.attributes,
            "occurred": self.occurred,
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the analysis engine found in one article (schemas/analysis.v1)."""

    article_id: str
    topics: tuple[TopicScore, ...]
    regions: tuple[RegionMention, ...]
    events: tuple[Event, ...]
    language: str = "und"  # ISO 639-1 code detected from the text ("und": could not tell)
    coverage: str = "full"  # "full", or "regions-only" for a language without topic and event rules

    @property
    def fully_covered(self) -> bool:
        return self.coverage == "full"

    @property
    def primary_topic(self) -> Topic | None:
        return self.topics[0].topic if self.topics else None

    @property
    def region_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.regions)

    @property
    def reported_events(self) -> tuple[Event, ...]:
        """The events reported as news; background mentions left out."""
        return tuple(e for e in self.events if e.reported)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": ANALYSIS_VERSION,
            "id": self.article_id,
            "primary_topic": self.primary_topic.value if self.primary_topic else None,
            "topics": [t.to_dict() for t in self.topics],
            "regions": [r.to_dict() for r in self.regions],
            "events": [e.to_dict() for e in self.events],
            "language": self.language,
            "coverage": self.coverage,
        }
