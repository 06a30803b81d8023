"""A private redis-server for tests that kill Redis: its own port and directory, restartable.

The shared test Redis must never be killed (other tests and sessions use it); this one is.
Every write is fsynced (`appendfsync always`), so a SIGKILL loses nothing acknowledged and a
restart on the same directory comes back with the same data.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import redis

from tests.integration.embedded_process import free_port


class RedisProcess:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.dir = directory
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self, timeout_s: float = 20.0) -> RedisProcess:
        self.dir.mkdir(parents=True, exist_ok=True)
        args = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir)]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"]
        with open(self.dir / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        client = redis.Redis(port=self.port, socket_timeout=1)
        try:
            while time.monotonic() < deadline:
                try:
                    if client.ping():
                        return self
                except redis.RedisError:
                    if self.proc.poll() is not None:
                        raise RuntimeError(
                            f"redis-server exited: {(self.dir / 'redis.log').read_text()}"
                        ) from None
                    time.sleep(0.05)
        finally:
            client.close()
        raise TimeoutError(f"redis-server on {self.port} did not answer in {timeout_s}s")

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
