"""The frozen train/test split of the labelled news corpus, and the kinds of text figures are given for.

A record's part depends on its id only (a hash), so adding records never moves another
one between parts. The test part is never read to write a rule or fit a model.
"""

from __future__ import annotations

import hashlib

TEST_PERCENT = 35
PARTS = ("all", "train", "test")

# The kinds of text figures are reported for: conflict-log notes, news headlines with
# their feed summaries, and full articles.
NOTES, HEADLINES, ARTICLES = "notes", "headlines+summaries", "full articles"
VIEWS = (NOTES, HEADLINES, ARTICLES)


def is_test(record_id: str) -> bool:
    """Whether the record is in the frozen test part (35 % by hash of its id)."""
    return int(hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:8], 16) % 100 < TEST_PERCENT


def in_part(record_id: str, part: str) -> bool:
    if part == "all":
        return True
    return is_test(record_id) is (part == "test")


def text_view(kind: str, record_id: str, text_type: str | None = None) -> str:
    """Which kind of text a labelled record is: notes, headlines+summaries or full articles."""
    k = kind.lower()
    if "note" in k:
        return NOTES
    if "headline" in k or "summary" in k or text_type == "rss_headline_and_summary":
        return HEADLINES
    if record_id.startswith("rss") and k != "full_article":
        return HEADLINES
    return ARTICLES
