"""Where the distributed worker hands alerts off: the `AlertHandOff` protocol and its implementation.

The worker commits an article's offset only after `hand_off` returned for its batch and its
producer's flush returned, so an implementation must not return before its alerts are durable
(stored and enqueued for delivery).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from newswatch.domain.outcome import AlertDraft, Outcome

log = logging.getLogger(__name__)


class AlertHandOff(Protocol):
    def hand_off(self, outcomes: Sequence[Outcome]) -> None:
        """Hand every alert of `outcomes` off (see the module docstring). Raise if it could not be."""


class SinkAlertHandOff:
    """Each draft to a per-alert sink (compose's `Services.alert_sink`: store, then enqueue delivery)."""

    def __init__(self, sink: Callable[[AlertDraft], None]) -> None:
        self._sink = sink

    def hand_off(self, outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            for draft in outcome.alerts:
                self._sink(draft)
