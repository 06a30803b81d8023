"""Counting independent publishers of a story.

Members whose texts are near-duplicates (wire copies, syndication) share a
text cluster, their `origin`: the connected components of the near-duplicate
relation, labelled by their smallest article id, maintained as each article
joins (`link`), so the clusters do not depend on arrival order. A publisher is
independent when it can be credited with a cluster of its own: the count is a
maximum matching between sources and clusters. Five outlets running one wire
story count 1; one outlet with three different reports counts 1; two outlets
with their own reports count 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from newswatch.alerts.ports import Member
from newswatch.alerts.similarity import similarity

DUPLICATE = 0.6  # estimated Jaccard of 3-word shingles above which two texts are copies


def link(members: Sequence[Member], new: Member, threshold: float = DUPLICATE) -> tuple[Member, ...]:
    """`members` plus `new`, with the clusters `new` joins (its near-duplicates') merged into one."""
    dups = {
        m.origin for m in members if new.signature and similarity(new.signature, m.signature) >= threshold
    }
    label = min(dups | {new.article_id})
    merged = tuple(replace(m, origin=label) if m.origin in dups and m.origin != label else m for m in members)
    return (*merged, replace(new, origin=label))


def independent_publishers(members: Sequence[Member]) -> int:
    edges: dict[str, set[str]] = {}
    for m in members:
        edges.setdefault(m.source, set()).add(m.origin)
    owner: dict[str, str] = {}  # cluster -> the source credited with it
    return sum(_augment(src, edges, owner, set()) for src in sorted(edges))


def _augment(src: str, edges: dict[str, set[str]], owner: dict[str, str], seen: set[str]) -> bool:
    """Kuhn's augmenting path: credit `src` with a cluster, re-crediting others if needed."""
    for c in sorted(edges[src]):
        if c in seen:
            continue
        seen.add(c)
        if c not in owner or _augment(owner[c], edges, owner, seen):
            owner[c] = src
            return True
    return False
