"""The `newswatch` command: one sub-command per module in `newswatch.commands`."""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from types import FrameType

# Each module defines `register(subparsers)`, which adds its sub-command and
# sets `func(args) -> int` as the handler. Imported lazily so `--help` is fast.
COMMANDS = ("analyze", "eval", "run", "worker", "publish", "delivery")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswatch", description=__doc__)
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"newswatch.commands.{name}").register(sub)
    return parser


class StartupInterrupted(BaseException):
    """SIGTERM or SIGINT arrived while the process was still starting (a BaseException, so that no
    `except Exception` on the way swallows it); cleanup runs as the stack unwinds, and it exits 0."""


def interrupt_startup(signum: int, _frame: FrameType | None) -> None:
    raise StartupInterrupted(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    # Until a command that declares `handles_signals` installs its own handlers (after its slow
    # start-up: imports, tables, connections), a stop request ends the start-up cleanly with 0
    # rather than the default death by signal (143). Other commands keep the default behaviour.
    previous = signal.signal(signal.SIGTERM, interrupt_startup)
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "handles_signals", False):
            signal.signal(signal.SIGTERM, previous)
        logging.basicConfig(
            level=args.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
            stream=sys.stderr,
        )
        return int(args.func(args) or 0)
    except StartupInterrupted as exc:
        logging.getLogger(__name__).info("%s during start-up: stopped before starting work", exc)
        return 0
