"""Word distance between two hits, counted outright (the package's `within` stops counting early)."""

from __future__ import annotations

from newswatch.analysis.events.context import words_between
from newswatch.analysis.events.matcher import Hit


def distance(text: str, a: Hit, b: Hit) -> int:
    """Words between two hits; the same on the text and on its folded copy."""
    return words_between(text, a.end, b.start) if a.end <= b.start else words_between(text, b.end, a.start)
