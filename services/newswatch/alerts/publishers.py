"""Counting independent publishers of a story.

Members whose texts are near-duplicates (wire copies, syndication) form one
text cluster (connected components, so arrival order does not matter). A
publisher is independent when it can be credited with a cluster of its own:
the count is a maximum matching between sources and text clusters. Five
outlets running one wire story count 1; one outlet with three different
reports counts 1; two outlets with their own reports count 2.
"""

from __future__ import annotations

from collections.abc import Sequence

from newswatch.alerts.ports import Member
from newswatch.alerts.similarity import band_keys, similarity

DUPLICATE = 0.6  # estimated Jaccard of 3-word shingles above which two texts are copies


def text_clusters(members: Sequence[Member], threshold: float = DUPLICATE) -> list[int]:
    """Cluster number of each member (union-find over the near-duplicate relation)."""
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _candidate_pairs(members):
        if similarity(members[i].signature, members[j].signature) >= threshold:
            parent[root(i)] = root(j)
    return [root(i) for i in range(len(members))]


def _candidate_pairs(members: Sequence[Member]) -> set[tuple[int, int]]:
    # LSH: only members sharing a band can be near-duplicates; avoids comparing every pair.
    buckets: dict[str, list[int]] = {}
    for i, m in enumerate(members):
        for key in band_keys(m.signature) if m.signature else ():
            buckets.setdefault(key, []).append(i)
    return {(i, j) for b in buckets.values() for n, i in enumerate(b) for j in b[:n]}


def independent_publishers(members: Sequence[Member], threshold: float = DUPLICATE) -> int:
    clusters = text_clusters(members, threshold)
    edges: dict[str, set[int]] = {}
    for m, c in zip(members, clusters, strict=True):
        edges.setdefault(m.source, set()).add(c)
    owner: dict[int, str] = {}  # cluster -> the source credited with it
    return sum(_augment(src, edges, owner, set()) for src in sorted(edges))


def _augment(src: str, edges: dict[str, set[int]], owner: dict[int, str], seen: set[int]) -> bool:
    """Kuhn's augmenting path: credit `src` with a cluster, re-crediting others if needed."""
    for c in sorted(edges[src]):
        if c in seen:
            continue
        seen.add(c)
        if c not in owner or _augment(owner[c], edges, owner, seen):
            owner[c] = src
            return True
    return False
