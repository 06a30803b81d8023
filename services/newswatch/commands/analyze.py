"""`newswatch analyze [FILE|-] [-o FILE]`: article JSONL in, analysis JSONL out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import IO

from tqdm import tqdm

from newswatch.analysis.engine import Analyzer
from newswatch.contracts.articles import decode_article
from newswatch.domain.errors import InvalidMessage


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="analyse article JSONL (topics, regions, events)")
    p.add_argument("file", nargs="?", default="-", help="article JSONL file, or - for stdin (default)")
    p.add_argument("-o", "--output", default="-", help="where to write analysis JSONL (default stdout)")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    p.set_defaults(func=run)


def analyze_lines(lines: Iterator[bytes], analyzer: Analyzer, out: IO[str], err: IO[str]) -> tuple[int, int]:
    """Analyse each non-blank line; report bad ones with their line number. Returns (ok, bad)."""
    ok = bad = 0
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            article = decode_article(raw)
        except InvalidMessage as exc:
            bad += 1
            print(f"line {lineno}: skipped ({exc.reason}): {exc.detail}", file=err)
            continue
        out.write(json.dumps(analyzer.analyze(article).to_dict(), ensure_ascii=False))
        out.write("\n")
        ok += 1
    return ok, bad


def run(args: argparse.Namespace) -> int:
    analyzer = Analyzer.load()
    with ExitStack() as stack:
        src: IO[bytes] = sys.stdin.buffer if args.file == "-" else stack.enter_context(open(args.file, "rb"))
        out: IO[str] = (
            sys.stdout
            if args.output == "-"
            else stack.enter_context(open(args.output, "w", encoding="utf-8"))
        )
        lines: Iterator[bytes] = iter(src)
        if not args.no_progress and sys.stderr.isatty():
            lines = iter(tqdm(lines, unit=" articles", file=sys.stderr))
        ok, bad = analyze_lines(lines, analyzer, out, sys.stderr)
    print(f"analysed {ok} articles, skipped {bad} invalid lines", file=sys.stderr)
    return 1 if bad and not ok else 0
