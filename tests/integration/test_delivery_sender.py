"""The HTTP edge against real servers on 127.0.0.1: pinning, timeouts, refusals, redirects."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from newswatch.delivery.classify import Result
from newswatch.delivery.sender import HttpSender


class Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        Handler.seen.append((self.path, self.headers.get("host", "")))
        if self.path == "/slow":
            time.sleep(1.0)
        if self.path == "/redirect":
            self.send_response(307)
            self.send_header("location", "http://127.0.0.1:1/elsewhere")
        elif self.path == "/busy":
            self.send_response(429)
            self.send_header("retry-after", "30")
        else:
            self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Handler.seen = []
    yield int(server.server_port)
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connects_to_the_pinned_address_whatever_dns_says(port: int) -> None:
    # `rebind.invalid` never resolves: the request can only arrive through the pinned address.
    sent = HttpSender(timeout=2).post(f"http://rebind.invalid:{port}/hook", "127.0.0.1", {}, b"{}")
    assert sent.result == Result(204)
    assert Handler.seen == [("/hook", f"rebind.invalid:{port}")]


CASES = [
    # success
    ("/ok", Result(204)),
    # Retry-After is passed on raw
    ("/busy", Result(429, retry_after="30")),
    # redirects are returned, never followed (the target was not vetted)
    ("/redirect", Result(307)),
]


@pytest.mark.parametrize(("path", "expected"), CASES)
def test_results(port: int, path: str, expected: Result) -> None:
    assert (
        HttpSender(timeout=2).post(f"http://127.0.0.1:{port}{path}", "127.0.0.1", {}, b"{}").result
        == expected
    )
    assert len(Handler.seen) == 1


def test_timeout_is_a_transport_error(port: int) -> None:
    sent = HttpSender(timeout=0.2).post(f"http://127.0.0.1:{port}/slow", "127.0.0.1", {}, b"{}")
    assert sent.result.status is None and sent.result.timed_out
    assert 0.2 <= sent.latency < 1.0


def test_refused_connection_is_a_transport_error() -> None:
    sent = HttpSender(timeout=2).post(f"http://127.0.0.1:{closed_port()}/", "127.0.0.1", {}, b"{}")
    assert sent.result.status is None and not sent.result.timed_out and sent.result.error
