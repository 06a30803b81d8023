"""`newswatch analyze [FILE|-] [-o FILE]`: article JSONL in, analysis JSONL out."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from typing import IO

from newswatch.commands.progress import Progress, add_progress_option, count_lines
from newswatch.contracts.articles import decode_article
from newswatch.domain.errors import InvalidMessage
from newswatch.domain.model import Analysis, Article


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="analyse article JSONL offline (topics, regions, events): analysis JSONL out",
        description="Analyse article JSONL (schemas/article.v1) without any service; invalid lines are "
        "reported with their line number and skipped.",
    )
    p.add_argument("file", nargs="?", default="-", help="article JSONL file, or - for stdin (default)")
    p.add_argument("-o", "--output", default="-", help="where to write analysis JSONL (default stdout)")
    add_progress_option(p)
    p.add_argument("--no-progress", action="store_true", help="same as --progress never")
    p.set_defaults(func=run)


def analyze_lines(
    lines: Iterable[bytes], analyze: Callable[[Article], Analysis], out: IO[str], note: Callable[[str], None]
) -> tuple[int, int]:
    """Analyse each non-blank line; report bad ones with their line number. Returns (ok, bad)."""
    ok = bad = 0
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            article = decode_article(raw)
        except InvalidMessage as exc:
            bad += 1
            note(f"line {lineno}: skipped ({exc.reason}): {exc.detail}")
            continue
        out.write(json.dumps(analyze(article).to_dict(), ensure_ascii=False))
        out.write("\n")
        ok += 1
    return ok, bad


def load_analyzer(err: IO[str]) -> Callable[[Article], Analysis]:
    """The analysis tables, compiled (a few seconds): said on stderr, so the wait is not silent."""
    from newswatch.analysis.engine import Analyzer  # late: `--help` and argument errors stay fast

    print("loading the analysis tables...", file=err, end="", flush=True)
    start = time.monotonic()
    analyzer = Analyzer.load()
    print(f" done in {time.monotonic() - start:.1f} s", file=err, flush=True)
    return analyzer.analyze


def run(args: argparse.Namespace) -> int:
    mode = "never" if args.no_progress else args.progress
    with ExitStack() as stack:
        # Open both files before the slow load: a wrong path is reported at once.
        src: IO[bytes] = sys.stdin.buffer if args.file == "-" else stack.enter_context(open(args.file, "rb"))
        out: IO[str] = (
            sys.stdout
            if args.output == "-"
            else stack.enter_context(open(args.output, "w", encoding="utf-8"))
        )
        total = count_lines(args.file)
        analyze = load_analyzer(sys.stderr)
        progress = stack.enter_context(Progress(mode, "analyze", "lines", total))
        ok, bad = analyze_lines(progress.iterate(src), analyze, out, progress.note)
    print(f"analysed {ok} articles, skipped {bad} invalid lines", file=sys.stderr)
    return 1 if bad and not ok else 0
