"""Near-duplicate text: MinHash signatures of word shingles (datasketch) and LSH band keys.

Band keys are stored by the StoryStore (SQLite or Redis) rather than kept in
an in-process `MinHashLSH`, so every worker and every restart sees the same
index. With 16 bands of 4 rows, pairs with Jaccard 0.6 are found ~89% of the
time and pairs at 0.2 ~3%; candidates are then checked on their estimate.
"""

from __future__ import annotations

import hashlib
import operator
import zlib
from collections.abc import Sequence

from datasketch import MinHash

from newswatch.alerts.view import normalise

NUM_PERM = 64
BANDS, ROWS = 16, 4
SHINGLE = 3  # words per shingle: wire copies share most, independent reports few
# CRC-32 as the base hash: C speed (datasketch's default SHA-1 took ~1 us per shingle), stable
# across processes, and MinHash's random affine permutations spread its values well enough.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=20221, hashfunc=zlib.crc32)  # permutations made once


def signature(text: str) -> tuple[int, ...]:
    """MinHash of the text's word 3-shingles (the words themselves for very short texts)."""
    words = normalise(text).split()
    if len(words) < SHINGLE:
        shingles = {" ".join(words)}
    else:  # zip over shifted lists: C loops instead of a slice and a join per word in Python
        shingles = set(map(" ".join, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))
    # CRC-32 hashed here with map (C), and handed over as the hashes themselves (`int` as the
    # MinHash's hash function returns them unchanged): the same values as hashfunc=zlib.crc32.
    m = MinHash(num_perm=NUM_PERM, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme, hashfunc=int)
    m.update_batch(list(map(zlib.crc32, map(str.encode, shingles))))
    return tuple(m.hashvalues.tolist())


def band_keys(sig: Sequence[int]) -> list[str]:
    """One key per LSH band; two signatures sharing any key are candidate near-duplicates."""
    keys = []
    for b in range(BANDS):
        rows = ",".join(map(str, sig[b * ROWS : (b + 1) * ROWS]))
        keys.append(f"{b}:{hashlib.blake2b(rows.encode(), digest_size=8).hexdigest()}")
    return keys


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the two shingle sets (0.0 if either is empty)."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(map(operator.eq, a, b)) / len(a)  # map over C functions: ~4x a generator
