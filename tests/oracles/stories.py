"""Which story an article joins, ranked over whole story documents.

The planner ranks lookup entries instead (`alerts.stories.preferred`) and reads
documents only for the text-similarity candidates; the tests check both agree.
"""

from __future__ import annotations

from datetime import datetime

from newswatch.alerts.ports import Story
from newswatch.alerts.publishers import DUPLICATE
from newswatch.alerts.similarity import similarity


def choose(
    candidates: list[Story],
    keys: tuple[str, ...],
    sig: tuple[int, ...],
    by_text: frozenset[str] = frozenset(),
) -> Story | None:
    """The story to join: a near-duplicate member first, then the most shared keys; ties by recency, id.

    Only stories in `by_text` (the LSH candidates) are compared member by member.
    """

    def rank(s: Story) -> tuple[bool, int, datetime, str]:
        dup = s.id in by_text and any(similarity(sig, m.signature) >= DUPLICATE for m in s.members)
        return (dup, len(set(keys) & set(s.keys)), s.last_seen, s.id)

    ranked = [(rank(s), s) for s in candidates]
    eligible = [(r, s) for r, s in ranked if r[0] or r[1] > 0]
    return max(eligible, key=lambda rs: rs[0])[1] if eligible else None
