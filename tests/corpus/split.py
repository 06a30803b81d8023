"""The frozen test part of the news corpus: a record is in it when its id hashes below 35 of 100.

Pure: `is_test` decides one id; `test_ids` lists them for records; running the module rewrites
`test_ids.txt` from every `news_*.jsonl` next to it (the manifest the unit test compares against).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

TEST_PERCENT = 35
HERE = Path(__file__).resolve().parent


def is_test(record_id: str) -> bool:
    """True when the record belongs to the frozen test part (about 35 % of ids)."""
    return int(hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:8], 16) % 100 < TEST_PERCENT


def test_ids(record_ids: Iterable[str]) -> list[str]:
    """The sorted test-part ids among `record_ids`."""
    return sorted({rid for rid in record_ids if is_test(rid)})


def corpus_ids(directory: Path = HERE) -> list[str]:
    ids: list[str] = []
    for path in sorted(directory.glob("news_*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            ids.extend(json.loads(line)["id"] for line in fh if line.strip())
    return ids


def main() -> int:
    manifest = test_ids(corpus_ids())
    (HERE / "test_ids.txt").write_text("".join(f"{rid}\n" for rid in manifest), encoding="utf-8")
    print(f"{len(manifest)} test ids")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
