"""`python -m tests.chaos [--small] [--only embedded|distributed] [--seed N]`: run, print, judge.

Exit status 1 when any target was missed (an accepted article or a planned alert lost, a stored
alert undelivered, a duplicate under a second webhook-id, a receipt that failed verification).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from tests.chaos import distributed, embedded
from tests.chaos.report import Report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    p.add_argument("--small", action="store_true", help="the short form `make test` runs")
    p.add_argument("--only", choices=("embedded", "distributed"))
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--workdir", type=Path, help="keep state and logs here (default: a temporary dir)")
    args = p.parse_args(argv)
    # kafka-python logs every refused connection while the broker is down on purpose
    logging.basicConfig(level=logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="newswatch-chaos-") as tmp:
        workdir = args.workdir or Path(tmp)
        reports: list[Report] = []
        if args.only in (None, "embedded"):
            reports.append(show(embedded.run(workdir, **embedded.size(args.small), seed=args.seed)))
        if args.only in (None, "distributed"):
            reports.append(show(distributed.run(workdir, **distributed.size(args.small), seed=args.seed)))
    return 0 if all(r.ok() for r in reports) else 1


def show(report: Report) -> Report:
    print("\n".join(report.lines()), flush=True)
    return report


if __name__ == "__main__":
    sys.exit(main())
