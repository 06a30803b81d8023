"""Near-duplicate text: MinHash signatures of word shingles and LSH band keys.

Band keys are stored by the StoryStore (SQLite or Redis) rather than kept in
an in-process `MinHashLSH`, so every worker and every restart sees the same
index. With 16 bands of 4 rows, pairs with Jaccard 0.6 are found ~89% of the
time and pairs at 0.2 ~3%; candidates are then checked on their estimate.

The MinHash is datasketch 2's "affine32" scheme, written out here in numpy: importing datasketch
imports scipy (its LSH tuning), ~80 MB of a worker's RSS for one class. Writing it out also pins
the stored signatures' meaning to this file rather than to a library version (datasketch 1.x
hashed differently). tests/unit/alerts/test_similarity_reference.py checks it against datasketch.
"""

from __future__ import annotations

import hashlib
import operator
import zlib
from collections.abc import Sequence

import numpy as np

from newswatch.alerts.view import normalise

NUM_PERM = 64
BANDS, ROWS = 16, 4
SHINGLE = 3  # words per shingle: wire copies share most, independent reports few
SEED = 20221
# CRC-32 as the base hash: C speed (SHA-1 took ~1 us per shingle) and stable across processes.
# Each permutation is h -> a*h + b mod 2^32 (a odd: a bijection) of the hash pre-mixed by the
# MurmurHash3 finalizer; the same draws from the same generator as datasketch's MinHash(seed=SEED).
_gen = np.random.RandomState(SEED)
_A = (_gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)).reshape(1, -1)
_B = _gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32).reshape(1, -1)
del _gen


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signature(text: str) -> tuple[int, ...]:
    """MinHash of the text's word 3-shingles (the words themselves for very short texts)."""
    words = normalise(text).split()
    if len(words) < SHINGLE:
        shingles = {" ".join(words)}
    else:  # zip over shifted lists: C loops instead of a slice and a join per word in Python
        shingles = set(map(" ".join, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, shingles)), dtype=np.uint32, count=len(shingles))
    permuted = _fmix32(hashes.reshape(-1, 1)) * _A + _B  # uint32 arithmetic wraps: mod 2^32
    return tuple(permuted.min(axis=0).tolist())


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
