"""Readiness: whether the stores and the queue this process depends on answer now.

Each check is a callable that returns when its dependency answered and raises when it did not.
`probe` runs them all (none stops the others) and says which failed and why; the composition
root builds the checks for its backend, and `GET /readyz` serves the verdict.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Check = Callable[[], object]


@dataclass(frozen=True, slots=True)
class Readiness:
    checks: dict[str, str]  # dependency -> "ok" or why it failed

    @property
    def failed(self) -> list[str]:
        return [name for name, state in self.checks.items() if state != "ok"]

    @property
    def ready(self) -> bool:
        return not self.failed


def probe(checks: Mapping[str, Check]) -> Readiness:
    """Run every check; an exception marks its dependency failed with the error's text."""
    states = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:
            states[name] = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
        else:
            states[name] = "ok"
    return Readiness(states)


def tcp_reachable(servers: str, timeout_s: float = 1.0) -> Check:
    """A check that one of the comma-separated `host:port` servers accepts a TCP connection.

    Used for Kafka, whose client has no cheap "are you there" call: a broker that accepts
    connections may still refuse writes, which the ingest path reports itself (503).
    """
    addresses = [s.strip().rsplit(":", 1) for s in servers.split(",") if s.strip()]

    def check() -> None:
        errors = []
        for host, port in addresses:
            try:
                socket.create_connection((host, int(port)), timeout=timeout_s).close()
                return
            except OSError as exc:
                errors.append(f"{host}:{port} {exc}")
        raise ConnectionError("; ".join(errors) or "no servers configured")

    return check
