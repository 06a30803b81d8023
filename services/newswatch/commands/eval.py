"""`newswatch eval FILE [--markdown OUT] [--worst N]`: score the analyser on labelled JSONL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newswatch.analysis.engine import Analyzer
from newswatch.analysis.eval.records import read_records
from newswatch.analysis.eval.report import render
from newswatch.analysis.eval.runner import run_eval


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate topics, regions and events on labelled JSONL")
    p.add_argument("file", help="labelled JSONL (dev-set format: id, kind, date, title, text, labels)")
    p.add_argument(
        "--markdown",
        nargs="?",
        const="-",
        metavar="OUT",
        help="write a Markdown report to OUT (default stdout) instead of plain text",
    )
    p.add_argument("--worst", type=int, default=20, metavar="N", help="how many misses to list (default 20)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open(args.file, encoding="utf-8") as fh:
        try:
            records = list(read_records(fh))
        except ValueError as exc:
            print(f"newswatch eval: {args.file}: {exc}", file=sys.stderr)
            return 2
    result = run_eval(records, Analyzer.load().analyze)
    text = render(result, worst=args.worst, markdown=args.markdown is not None)
    if args.markdown and args.markdown != "-":
        Path(args.markdown).write_text(text, encoding="utf-8")
        print(f"wrote {args.markdown}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
