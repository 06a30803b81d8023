"""newswatch: streaming news monitoring (topics, regions, key events, signed webhook alerts)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from types import FrameType

from newswatch import __version__

# Each command's module defines `register(subparsers)`, which adds the command and sets
# `func(args) -> int` as its handler. Imported lazily so that `--help` stays fast.
COMMANDS = ("run", "worker", "delivery", "publish", "analyze", "eval")
EXIT_USAGE = 2  # a user error (a missing file, a bad option): argparse's own status
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader went away
EXIT_INTERRUPTED = 130  # 128 + SIGINT

EPILOG = """Run `newswatch COMMAND --help` for a command's options.
Docs: README.md (getting started), docs/webhooks.md (receiving alerts), docs/runbook.md (operating)."""


class UserError(Exception):
    """A mistake the user can fix (a path, a value): one line on stderr, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newswatch",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newswatch {__version__}")
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
    for name in COMMANDS:
        importlib.import_module(f"newswatch.commands.{name}").register(sub)
    return parser


class StartupInterrupted(BaseException):
    """SIGTERM arrived while the process was still starting (a BaseException, so that no
    `except Exception` on the way swallows it); cleanup runs as the stack unwinds, and it exits 0."""


def interrupt_startup(signum: int, _frame: FrameType | None) -> None:
    raise StartupInterrupted(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    command = "COMMAND"
    # Until a command that declares `handles_signals` installs its own handlers (after its slow
    # start-up: imports, tables, connections), a stop request ends the start-up cleanly with 0
    # rather than the default death by signal (143). Other commands keep the default behaviour.
    previous = signal.signal(signal.SIGTERM, interrupt_startup)
    try:
        args = build_parser().parse_args(argv)
        command = args.command
        if not getattr(args, "handles_signals", False):
            signal.signal(signal.SIGTERM, previous)
        logging.basicConfig(
            level=args.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
            stream=sys.stderr,
        )
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # here, so that a closed pipe is caught below and not at exit
        return status
    except StartupInterrupted as exc:
        logging.getLogger(__name__).info("%s during start-up: stopped before starting work", exc)
        return 0
    except UserError as exc:
        return _fail(command, str(exc))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        # Paths named on the command line: the user's to fix, no traceback needed.
        return _fail(command, f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc))
    except BrokenPipeError:
        return _closed_pipe()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _fail(command: str, message: str) -> int:
    print(f"newswatch {command}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _closed_pipe() -> int:
    """The reader of stdout went away (`| head`): stop quietly.

    Python would report the failed flush at exit, so stdout is pointed at /dev/null first.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE
