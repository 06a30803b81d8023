"""Bounded label values for newswatch metrics, and pure mappings onto them.

Every label value a metric can carry comes from an enum here or in
`newswatch.domain.model`, so the number of series stays bounded: no
subscriber ids, URLs or free text ever become label values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum


class Stage(StrEnum):
    """Pipeline stages, in pipeline order (label `stage`)."""

    DECODE = "decode"
    VALIDATE = "validate"
    TOPICS = "topics"
    REGIONS = "regions"
    EVENTS = "events"
    PLAN = "plan"
    HAND_OFF = "hand_off"


# How the pure core reports stage boundaries without knowing about Prometheus or
# clocks: `with timer(Stage.TOPICS): ...`. `Metrics.time_stage` is one; `untimed` the no-op.
StageTimer = Callable[[Stage], AbstractContextManager[None]]


def untimed(stage: Stage) -> AbstractContextManager[None]:
    """A StageTimer that records nothing (analysis-only runs, tests)."""
    return nullcontext()


class InvalidReason(StrEnum):
    """`InvalidMessage.reason` slugs; anything unknown is counted as OTHER."""

    DECODE_ERROR = "decode_error"
    SCHEMA_INVALID = "schema_invalid"
    TOO_LARGE = "too_large"
    ANALYSIS_ERROR = "analysis_error"  # the pure analysis raised: a poison message, dead-lettered
    PLAN_ERROR = "plan_error"  # the alert planner raised something that is not an I/O error
    OTHER = "other"


class StoryChange(StrEnum):
    """Whether an alert opened a story or updated one (`AlertDraft.kind`), or is a digest of them."""

    DETECTED = "detected"
    UPDATED = "updated"
    DIGEST = "digest"


class EmbeddedQueue(StrEnum):
    """What waits inside an embedded process (label `queue` of the embedded backlog gauge)."""

    ARTICLES = "articles"  # appended to the embedded log, not yet processed: Kafka lag's equivalent
    DELIVERIES = "deliveries"  # webhook attempts due or scheduled: Celery queue depth's equivalent


class DeliveryOutcome(StrEnum):
    """What one delivery attempt led to (label `outcome`)."""

    DELIVERED = "delivered"  # 2xx: done
    RETRY = "retry"  # retryable failure, another attempt scheduled
    GAVE_UP = "gave_up"  # permanent failure or retries exhausted
    CIRCUIT_OPEN = "circuit_open"  # not attempted: the endpoint's breaker is open
    BLOCKED = "blocked"  # not attempted: the SSRF guard refused the address


class StatusClass(StrEnum):
    """HTTP status class of an attempt; TIMEOUT/ERROR when no response came."""

    S2XX = "2xx"
    S3XX = "3xx"
    S4XX = "4xx"
    S5XX = "5xx"
    TIMEOUT = "timeout"
    ERROR = "error"
    NONE = "none"  # no attempt was made (circuit open, blocked)


class LatencyOrigin(StrEnum):
    """Start point of an article-to-delivery latency (label `since`)."""

    INGESTED = "ingested"  # when newswatch first saw the article
    PUBLISHED = "published"  # the article's own published_at


UNKNOWN_COUNTRY = "unknown"
_ALPHA2 = re.compile(r"[A-Z]{2}")


def country_label(code: str | None) -> str:
    """ISO 3166-1 alpha-2 of a region code ("UA-14" -> "UA"); else "unknown".

    Only two-letter upper-case codes pass, so the label has at most
    26*26 + 1 values whatever the analysis emits.
    """
    country = (code or "").split("-", 1)[0]
    return country if _ALPHA2.fullmatch(country) else UNKNOWN_COUNTRY


def invalid_reason(reason: str) -> InvalidReason:
    """Map an `InvalidMessage.reason` onto the bounded enum."""
    try:
        return InvalidReason(reason)
    except ValueError:
        return InvalidReason.OTHER


def story_change(kind: str) -> StoryChange:
    """`AlertDraft.kind` ("story.detected" / "story.updated" / "digest") to the label."""
    if kind == StoryChange.DIGEST.value:
        return StoryChange.DIGEST
    return StoryChange.UPDATED if kind.endswith("updated") else StoryChange.DETECTED


def status_class(status: int | None, timed_out: bool = False) -> StatusClass:
    """Classify an HTTP attempt: a status code, a timeout, or another error."""
    if timed_out:
        return StatusClass.TIMEOUT
    if status is None or not 200 <= status < 600:
        return StatusClass.ERROR
    return StatusClass(f"{status // 100}xx")


_LANGUAGE = re.compile(r"[a-z]{2,3}")


def language_label(code: str | None) -> str:
    """An ISO 639 code of two or three lower-case letters ("uk", "haw"); else "und".

    The detector names about a hundred languages, so the label stays bounded.
    """
    return code if code and _LANGUAGE.fullmatch(code) else "und"
