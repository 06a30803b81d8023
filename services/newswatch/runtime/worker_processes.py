"""`newswatch worker --processes N`: N single-process workers in one consumer group, supervised.

Python runs the analysis on one core per process, so a machine's cores are used by processes.
Each child is a plain `newswatch worker --processes 1` with the parent's flags (and environment),
so a child is exactly what one would start by hand; Kafka spreads the partitions over them (a
topic needs at least N partitions for all N to work). The parent only supervises:
- SIGTERM/SIGINT are passed on to every child, each finishes and commits its batch in hand, and
  the parent exits 0 once all have exited 0 (1 otherwise);
- a child that dies on its own (OOM kill, crash) is restarted after a growing pause, so the group
  keeps N members. Its uncommitted messages go to the other members meanwhile.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)

CHECK_EVERY_S = 0.5
RESTART_FIRST_S = 1.0
RESTART_MAX_S = 30.0
HEALTHY_AFTER_S = 60.0  # a child that ran this long before dying is restarted after the first pause


def supervise(processes: int, argv_of: Callable[[int], list[str]]) -> int:
    """Run `processes` children (`python -m newswatch <argv_of(i)>`) until a stop signal."""
    stop = threading.Event()

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("%s: stopping the %d worker processes", signal.Signals(signum).name, processes)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    children = [_start(argv_of(i)) for i in range(processes)]
    started = [time.monotonic()] * processes
    pauses = [RESTART_FIRST_S] * processes
    log.info("worker: %d processes started (pids %s)", processes, [c.pid for c in children])
    while not stop.wait(CHECK_EVERY_S):
        for i, child in enumerate(children):
            code = child.poll()
            if code is None:
                continue
            if time.monotonic() - started[i] > HEALTHY_AFTER_S:
                pauses[i] = RESTART_FIRST_S
            log.error(
                "worker process %d (pid %d) exited with %s; restarting in %.0fs",
                i,
                child.pid,
                code,
                pauses[i],
            )
            if stop.wait(pauses[i]):
                break
            children[i], started[i] = _start(argv_of(i)), time.monotonic()
            pauses[i] = min(pauses[i] * 2, RESTART_MAX_S)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    codes = [child.wait() for child in children]
    log.info("worker: processes exited with %s", codes)
    return 0 if all(code == 0 for code in codes) else 1


def _start(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "newswatch", *argv])
