"""`python -m bench` (`make bench`): run every benchmark module in bench/ and print its figures.

A benchmark is a module `bench/<name>.py` with a `main() -> int | None`; modules without one
(helpers such as kafka_articles) are skipped. They run in name order, so `analysis_*` comes before
`kafka_*` and `matching_*`. One failing benchmark is reported and the others still run; the exit
status is 1 if any failed. `python -m bench NAME...` runs only the named modules.

Modules that talk to the local Kafka and Redis say so with `NEEDS_SERVERS = True`.
`--no-servers` runs only the others and `--servers` only those: `make bench` times the CPU-bound
figures (analysis speed, matching) first, on a machine without a broker starting up beside them.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path


def discover() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def run_one(name: str) -> bool:
    """Import and run bench.<name>; False if it raised or returned non-zero."""
    module = importlib.import_module(f"bench.{name}")
    main = getattr(module, "main", None)
    if not callable(main):
        return True
    print(f"\n=== bench.{name} ===", flush=True)
    start = time.perf_counter()
    try:
        status = main([]) if _takes_argv(main) else main()
    except Exception:
        traceback.print_exc()
        status = 1
    print(f"=== bench.{name}: {time.perf_counter() - start:.1f} s ===", flush=True)
    return not status


def _takes_argv(main: object) -> bool:
    code = getattr(main, "__code__", None)
    return bool(code and code.co_argcount)


def needs_servers(name: str) -> bool:
    return bool(getattr(importlib.import_module(f"bench.{name}"), "NEEDS_SERVERS", False))


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a in ("--servers", "--no-servers")}
    names = [a for a in argv if a not in flags] or discover()
    servers = "--servers" in flags if len(flags) == 1 else None  # None: every benchmark
    # Each module is imported only when its turn comes, after the ones before it have run:
    # importing them all up front put the Kafka and Celery clients into analysis_speed's peak RSS.
    failed = [
        name for name in names if (servers is None or needs_servers(name) == servers) and not run_one(name)
    ]
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
