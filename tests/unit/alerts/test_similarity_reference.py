"""The MinHash signature (written out in numpy) and similarity give exactly what datasketch 2's
MinHash gives (affine32, hashfunc=zlib.crc32 over the set of word 3-shingles), so the signatures
and band keys stored by earlier versions stay valid."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import pytest
from datasketch import MinHash

from newswatch.alerts.ports import Member
from newswatch.alerts.similarity import NUM_PERM, SEED, SHINGLE, signature, similarity
from newswatch.alerts.view import normalise
from newswatch.store.alerts_codec import member_dumps, member_loads

TEXTS = [
    "",
    "Kharkiv",
    "Power cut",
    "Three words here",
    "Shelling hit a power substation near the city overnight, officials said on Tuesday.",
    "The council met. The council met again! And again, the council met; nothing was decided " * 5,
    "Ünïcode wörds — and \u2019quotes\u2019, numbers 1,200 and 3.5 km",
]


def reference(text: str) -> tuple[int, ...]:
    words = normalise(text).split()
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, scheme="affine32")
    m.update_batch([s.encode() for s in shingles])
    return tuple(int(h) for h in m.hashvalues)


@pytest.mark.parametrize("text", TEXTS)
def test_signature_equals_the_reference(text: str) -> None:
    assert signature(text) == reference(text)


def test_similarity_counts_equal_positions() -> None:
    assert similarity((1, 2, 3, 4), (1, 9, 3, 9)) == 0.5
    assert similarity((), ()) == 0.0
    assert similarity((1, 2), (1, 2, 3)) == 0.0


def test_member_loads_remembers_parsed_members_by_document_and_origin() -> None:
    m = Member("a1", "outlet", "a1", signature=(1, 2, 3), seen_at=datetime(2026, 11, 25, tzinfo=UTC))
    raw = member_dumps(m)
    first = member_loads(raw, "a1")
    assert first == m
    assert member_loads(raw, "a1") is first  # parsed once
    other = member_loads(raw, "a0")  # the same document in another text cluster
    assert other.origin == "a0" and other is not first
