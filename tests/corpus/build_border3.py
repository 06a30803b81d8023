"""Expand the hand-labelled sheets raw/border3_*.txt into news_border3.jsonl.

Same sheet syntax and shorthands as build_energy3.py (which reuses build_energy2's parser); items whose
link or normalised title is already in another news_*.jsonl file, or earlier in the sheets, are dropped.
"""

from __future__ import annotations

from pathlib import Path

from build_energy3 import build

HERE = Path(__file__).resolve().parent
OUT = HERE / "news_border3.jsonl"


def main() -> int:
    return build("border3_*.txt", OUT)


if __name__ == "__main__":
    raise SystemExit(main())
