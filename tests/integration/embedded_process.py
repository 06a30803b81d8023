"""A real `newswatch run` in a subprocess on a free port, and a receiver of its webhooks, for the
embedded integration tests."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

import httpx

ADMIN_TOKEN = "test-admin-token"
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class EmbeddedProcess:
    """`python -m newswatch run` with its state in `data_dir`; start, stop (SIGTERM) or kill -9."""

    def __init__(
        self, data_dir: Path, env: dict[str, str] | None = None, start_timeout_s: float = START_TIMEOUT_S
    ) -> None:
        self.data_dir = data_dir
        self.start_timeout_s = start_timeout_s
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "service.log"
        self._env = {
            **os.environ,
            "NEWSWATCH_DATA_DIR": str(data_dir),
            "NEWSWATCH_ADMIN_TOKEN": ADMIN_TOKEN,
            "NEWSWATCH_PORT": str(self.port),
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> EmbeddedProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "newswatch", "run"],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(self._healthy, self.start_timeout_s, f"newswatch run on {self.url} (log: {self.log})")
        except TimeoutError:  # never leave a half-started service behind (it holds CPU and its port)
            self.proc.kill()
            self.proc.wait(10)
            raise
        return self

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"newswatch run exited {self.proc.returncode}: {self.log.read_text()[-2000:]}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout_s)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def client(self, token: str | None = ADMIN_TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30.0)


def wait_for(check: Callable[[], Any], timeout_s: float, what: str, every_s: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; that value, or TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every_s)
    raise TimeoutError(f"waited {timeout_s}s for {what}")


def analysis_of(client: httpx.Client, article_id: str, within_s: float) -> dict[str, Any]:
    """The stored analysis of `article_id`, once the pipeline has written it."""

    def fetch() -> dict[str, Any] | None:
        r = client.get(f"/v1/analyses/{article_id}")
        return r.json() if r.status_code == 200 else None

    found: dict[str, Any] = wait_for(fetch, within_s, f"analysis of {article_id}")
    return found


def subscribe(client: httpx.Client, url: str, filters: dict[str, Any], name: str = "grid") -> dict[str, Any]:
    """A new subscription posting to `url` (201 asserted); its body, with the secret shown once."""
    r = client.post("/v1/subscriptions", json={"name": name, "filters": filters, "webhook": {"url": url}})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


class Received(NamedTuple):
    """One POST as the receiver got it: lower-cased headers and the raw body."""

    headers: dict[str, str]
    body: bytes


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST (headers and raw body) and answers 204.

    `received` lists them all; `next()` hands them over one at a time, waiting for the next one.
    """

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._arrivals: queue.Queue[Received] = queue.Queue()
        received, arrivals = self.received, self._arrivals

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                got = Received({k.lower(): v for k, v in self.headers.items()}, body)
                received.append(got)
                arrivals.put(got)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, timeout_s: float = 20.0) -> Received:
        """The next POST not yet handed over (queue.Empty after `timeout_s`)."""
        return self._arrivals.get(timeout=timeout_s)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
