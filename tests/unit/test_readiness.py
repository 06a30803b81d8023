"""Readiness checks: every dependency is asked, a failure names itself (pure part and a real socket)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from newswatch.observability.readiness import probe, tcp_reachable


def fails(message: str) -> Callable[[], None]:
    """A check that raises like a dependency that does not answer."""

    def check() -> None:
        raise ConnectionError(message)

    return check


@pytest.mark.parametrize(
    ("checks", "failed"),
    [
        ({"store": lambda: 1, "queue": lambda: None}, []),  # both answered
        ({"store": fails("refused"), "queue": lambda: None}, ["store"]),  # one down: named
        ({"store": fails("x"), "queue": fails("y")}, ["store", "queue"]),  # one failure stops no other check
        ({}, []),  # nothing to depend on is ready
    ],
)
def test_probe_names_the_failed_dependencies(checks: dict, failed: list[str]) -> None:
    result = probe(checks)
    assert result.failed == failed
    assert result.ready is (not failed)
    assert set(result.checks) == set(checks)


def test_a_failure_says_why() -> None:
    assert probe({"store": fails("Connection refused")}).checks == {
        "store": "ConnectionError: Connection refused"
    }


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return int(s.getsockname()[1])


def test_tcp_reachable_when_one_server_listens(listening: int) -> None:
    tcp_reachable(f"127.0.0.1:{closed_port()},127.0.0.1:{listening}")()


def test_tcp_unreachable_names_every_server() -> None:
    port = closed_port()
    with pytest.raises(ConnectionError, match=f"127.0.0.1:{port}"):
        tcp_reachable(f"127.0.0.1:{port}", timeout_s=0.5)()
