"""Expand the hand-labelled sheets raw/energy4_*.txt into news_energy4.jsonl.

Same sheet syntax and shorthands as build_energy3.py (build_energy2's parser, date `=` for the day
folder of the source path, `rt:`/`aj:` links); items whose link or normalised title is already in
another news_*.jsonl file, or earlier in the sheets, are dropped (first copy wins).
"""

from __future__ import annotations

from pathlib import Path

from build_energy3 import build

HERE = Path(__file__).resolve().parent
OUT = HERE / "news_energy4.jsonl"


def main() -> int:
    return build("energy4_*.txt", OUT)


if __name__ == "__main__":
    raise SystemExit(main())
