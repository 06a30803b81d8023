"""Circuit breakers of every endpoint this process talks to (state kept in memory).

Each process learns on its own: a dead receiver costs every worker process a
few timeouts before its breaker opens, which is cheap next to sharing state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from newswatch.delivery.policy import breaker
from newswatch.delivery.policy.breaker import Breaker, Policy, State


def endpoint_of(url: str) -> str:
    """Breakers are per scheme+host+port: paths on one server share its health."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"


class BreakerBook:
    def __init__(self, policy: Policy, on_open: Callable[[], None] = lambda: None) -> None:
        self._policy = policy
        self._on_open = on_open
        self._lock = threading.Lock()
        self._states: dict[str, Breaker] = {}

    def wait(self, endpoint: str, now: float) -> float:
        """0 if an attempt may go now (and claim the probe if half-opening), else seconds to wait."""
        with self._lock:
            b = self._states.get(endpoint, Breaker())
            ok, self._states[endpoint] = breaker.allow(b, now, self._policy)
            return 0.0 if ok else max(breaker.wait_for(b, now, self._policy), 0.001)

    def record(self, endpoint: str, healthy: bool, now: float) -> None:
        with self._lock:
            b = self._states.get(endpoint, Breaker())
            after = breaker.on_success(b) if healthy else breaker.on_failure(b, now, self._policy)
            self._states[endpoint] = after
        if after.state is State.OPEN and b.state is not State.OPEN:
            self._on_open()
