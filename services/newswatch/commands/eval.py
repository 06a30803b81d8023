"""`newswatch eval FILE... [--part P] [--markdown OUT] [--worst N]`: score the analyser on labelled JSONL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newswatch.analysis.engine import Analyzer
from newswatch.analysis.eval.records import read_records
from newswatch.analysis.eval.report import render
from newswatch.analysis.eval.runner import run_eval
from newswatch.analysis.eval.split import PARTS, in_part


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate topics, regions and events on labelled JSONL")
    p.add_argument(
        "file", nargs="+", help="labelled JSONL (dev-set format: id, kind, date, title, text, labels)"
    )
    p.add_argument(
        "--part",
        choices=PARTS,
        default="all",
        help="only the corpus' training or frozen test part (35 %% by hash of the id); default all",
    )
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
    records = []
    for name in args.file:
        with open(name, encoding="utf-8") as fh:
            try:
                records += [r for r in read_records(fh) if in_part(r.id, args.part)]
            except ValueError as exc:
                print(f"newswatch eval: {name}: {exc}", file=sys.stderr)
                return 2
    result = run_eval(records, Analyzer.load().analyze)
    text = render(result, worst=args.worst, markdown=args.markdown is not None)
    if args.markdown and args.markdown != "-":
        Path(args.markdown).write_text(text, encoding="utf-8")
        print(f"wrote {args.markdown}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
