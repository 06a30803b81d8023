"""The topic model's features, token by token (the package counts them from bytes in one pass)."""

from __future__ import annotations

from collections import Counter

from newswatch.analysis.topics.tokens import _TABLE as TABLE
from newswatch.analysis.topics.tokens import TITLE_LIMIT, counts_of, feature_bytes, strip_similes
from newswatch.analysis.topics.tokens import _lower_bytes as lower_bytes
from newswatch.analysis.topics.weights import TITLE_PREFIX

__all__ = ["TITLE_LIMIT", "feature_counts", "title_tokens", "tokens"]


def tokens(text: str, limit: int) -> list[bytes]:
    """Lower-case word tokens of the first `limit` characters of `text`, similes removed."""
    return strip_similes(lower_bytes(text, limit)).translate(TABLE).split()


def title_tokens(title: str) -> list[bytes]:
    """Title words with the `t:` prefix that gives them their own weights."""
    words = strip_similes(lower_bytes(title, TITLE_LIMIT)).translate(TABLE).split()
    return [TITLE_PREFIX.encode() + w for w in words]


def feature_counts(text: str, title: str | None, limit: int) -> Counter[bytes]:
    """The classifier's feature counts for one article, as it computes them (bytes, then counts)."""
    return counts_of(*feature_bytes(text, title, limit))
