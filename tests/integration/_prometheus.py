"""Helpers of the observability integration tests: Debian's prometheus/promtool, processes, queries."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"


def binary(name: str) -> str:
    """Path of `prometheus` or `promtool`, installing Debian's package when missing (root only).

    Raises RuntimeError rather than skipping: these tests must not pass by absence.
    """
    found = shutil.which(name)
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-q", "prometheus"], env=env, check=False, timeout=600)
        found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: apt-get install -y prometheus")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (OSError, urllib.error.URLError, ValueError) as exc:
            last = exc
        time.sleep(0.25)
    raise TimeoutError(f"{what} not true after {timeout}s (last: {last!r})")


def http_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read()


def stop(proc: subprocess.Popen, grace_s: float = 15.0) -> None:
    """Terminate `proc`, and kill it if it is still running after `grace_s` seconds."""
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def prometheus_factory(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Body of a `prometheus` fixture: `start(target, job)` runs Prometheus scraping "host:port" as `job`
    (1 s scrape and rule interval, the repo's recording rules) and returns its base URL."""
    procs: list[subprocess.Popen] = []
    logs: list[IO[str]] = []

    def start(target: str, job: str = "newswatch-api") -> str:
        port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(PROMETHEUS_DIR / "rules" / "recording.yml")],
            "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [target]}]}],
        }
        path = tmp_path / "prometheus.yml"
        path.write_text(yaml.safe_dump(config))
        cmd = [
            binary("prometheus"),
            f"--config.file={path}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ]
        logs.append((tmp_path / "prometheus.log").open("w"))
        procs.append(subprocess.Popen(cmd, stdout=logs[-1], stderr=subprocess.STDOUT))
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: http_get(f"{base}/-/ready"), 30, "prometheus /-/ready")
        return base

    yield start
    for proc in procs:
        stop(proc)
    for log in logs:
        log.close()


def query(prom: str, expr: str) -> float | None:
    """The single value of an instant query, None when it returns no series."""
    body = json.loads(http_get(f"{prom}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"))
    assert body["status"] == "success", body
    result = body["data"]["result"]
    assert len(result) <= 1, result
    return float(result[0]["value"][1]) if result else None
