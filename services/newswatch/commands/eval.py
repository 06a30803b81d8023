"""`newswatch eval FILE... [--part P] [--markdown OUT] [--worst N]`: score the analyser on labelled JSONL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newswatch.analysis.eval.records import read_records
from newswatch.analysis.eval.report import render
from newswatch.analysis.eval.runner import evaluate
from newswatch.analysis.eval.split import PARTS, in_part
from newswatch.cli import UserError
from newswatch.commands.analyze import load_analyzer
from newswatch.commands.progress import Progress, add_progress_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="score topics, regions and events on labelled JSONL",
        description="Measure the analysis on labelled JSONL (the dev-set format: id, kind, date, title, "
        "text, labels): per-event precision/recall/F1, region accuracy, topic macro-F1, worst misses.",
    )
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
    add_progress_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    records = []
    for name in args.file:
        with open(name, encoding="utf-8") as fh:
            try:
                records += [r for r in read_records(fh) if in_part(r.id, args.part)]
            except ValueError as exc:
                raise UserError(f"{name}: {exc}") from None
    analyze = load_analyzer(sys.stderr)
    with Progress(args.progress, "eval", "records", len(records)) as progress:
        pairs = [(r, analyze(r.article)) for r in progress.iterate(records)]
    text = render(evaluate(pairs), worst=args.worst, markdown=args.markdown is not None)
    if args.markdown and args.markdown != "-":
        Path(args.markdown).write_text(text, encoding="utf-8")
        print(f"wrote {args.markdown}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
