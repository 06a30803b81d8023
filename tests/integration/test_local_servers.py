"""deploy/local/servers.sh owns what it starts and never reuses a server another checkout started.

Two throwaway "checkouts" (copies of the script) share one Redis port: the second must refuse the
first's server, and the first must refuse its own once its folder is gone (what a deleted clone
leaves behind). Redis only: a Kafka broker takes far longer to start and the checks are the same.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SERVERS
from tests.integration.embedded_process import free_port

pytestmark = [pytest.mark.redis, pytest.mark.skipif(not shutil.which("redis-server"), reason="no redis")]


def checkout(root: Path) -> Path:
    script = root / "deploy" / "local" / "servers.sh"
    script.parent.mkdir(parents=True)
    shutil.copy2(SERVERS, script)
    return script


def run(script: Path, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_LOCAL_DIR"}
    env["NEWSWATCH_REDIS_PORT"] = str(port)
    return subprocess.run([str(script), *args], env=env, capture_output=True, text=True, timeout=120)


def answers(port: int) -> bool:
    cli = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
    return cli.stdout.strip() == "PONG"


def test_a_checkout_reuses_only_its_own_redis(tmp_path: Path) -> None:
    port = free_port()
    a, b = checkout(tmp_path / "a"), checkout(tmp_path / "b")
    pidfile = tmp_path / "a" / ".local" / "redis" / f"redis-{port}.pid"
    try:
        first = run(a, port, "start", "redis")
        assert first.returncode == 0, first.stderr
        assert first.stdout.split() == ["redis"]  # it says what it launched, so make test can stop it
        again = run(a, port, "start", "redis")
        assert again.returncode == 0 and again.stdout == "" and "ours" in again.stderr

        other = run(b, port, "start", "redis")
        assert other.returncode == 3 and "did not start" in other.stderr, other.stderr
        assert "NEWSWATCH_REDIS_PORT" in other.stderr
        assert run(b, port, "stop", "redis").returncode == 0
        assert answers(port), "another checkout's stop must not touch our server"
        assert run(b, port, "status").stdout.split()[-1] == "foreign"
        assert run(a, port, "status").stdout.split()[-1] == "up"

        shutil.rmtree(tmp_path / "a" / ".local")  # the folder deleted under a running server
        orphan = run(a, port, "start", "redis")
        assert orphan.returncode == 3, orphan.stderr
    finally:
        if pidfile.exists():
            run(a, port, "stop", "redis")
        else:
            stop_orphan(port)


def stop_orphan(port: int) -> None:
    info = subprocess.run(["redis-cli", "-p", str(port), "info", "server"], capture_output=True, text=True)
    for line in info.stdout.splitlines():
        if line.startswith("process_id:"):
            # SIGKILL: with its folder gone, Redis refuses a clean shutdown (it cannot save)
            os.kill(int(line.split(":")[1]), signal.SIGKILL)


def test_stop_leaves_a_process_that_merely_reuses_our_old_pid(tmp_path: Path) -> None:
    port = free_port()
    a = checkout(tmp_path / "a")
    pidfile = tmp_path / "a" / ".local" / "redis" / f"redis-{port}.pid"
    pidfile.parent.mkdir(parents=True)
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        pidfile.write_text(f"{bystander.pid}\n")
        assert run(a, port, "stop", "redis").returncode == 0
        assert bystander.poll() is None, "stop killed a process it did not start"
    finally:
        bystander.kill()
        bystander.wait()
