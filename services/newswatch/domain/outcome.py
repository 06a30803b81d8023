"""What the pipeline produced for one article."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newswatch.domain.model import Analysis, Article


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """An alert decided by the pipeline, ready to hand to delivery.

    `id` is stable for (subscription, story, revision) so at-least-once
    processing and replays produce the same alert.
    """

    id: str
    subscription_id: str
    kind: str  # "story.detected" | "story.updated"
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    article: Article
    analysis: Analysis
    alerts: tuple[AlertDraft, ...] = ()
