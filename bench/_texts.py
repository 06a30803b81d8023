"""Real news texts for the benchmarks, read at run time from the dev set beside the repository.

`../shared/data/dev/dev.jsonl` (relative to the repository) holds labelled news records; the
benchmarks use the texts of 1.5 to 6 KB (UTF-8 bytes): full articles and long summaries, about 320
of them, mean ~2.7 KB. No copy is shipped: without the file a benchmark stops and says so
(`--generated` times the template articles instead). Articles get ids `<prefix>-<i>` and cycle
through the texts, so 20,000 articles repeat each text about 60 times.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import orjson

# NEWSWATCH_BENCH_TEXTS points elsewhere (a checkout that is not beside `shared/`).
DEV_JSONL = Path(
    os.environ.get("NEWSWATCH_BENCH_TEXTS")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev" / "dev.jsonl"
)
MIN_BYTES, MAX_BYTES = 1500, 6000


class NoTexts(RuntimeError):
    """The dev set is not where the benchmarks look for it."""


def texts(path: Path = DEV_JSONL) -> list[tuple[str | None, str]]:
    """(title, text) of every record whose text is 1.5 to 6 KB, in file order."""
    if not path.is_file():
        raise NoTexts(
            f"{path} not found: point NEWSWATCH_BENCH_TEXTS at the dev set's dev.jsonl, or use --generated"
        )
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            text = record.get("text") or ""
            if MIN_BYTES <= len(text.encode("utf-8")) <= MAX_BYTES:
                out.append((record.get("title"), text))
    if not out:
        raise NoTexts(f"{path} has no text of {MIN_BYTES} to {MAX_BYTES} bytes")
    return out


def articles(n: int, prefix: str = "real", path: Path = DEV_JSONL) -> list[bytes]:
    """n article.v1 messages cycling through the real texts; the id of article i is `<prefix>-<i>`."""
    pool = texts(path)
    out = []
    for i in range(n):
        title, text = pool[i % len(pool)]
        doc: dict[str, object] = {"id": f"{prefix}-{i}", "body": text, "published_at": "2026-11-25T12:00:00Z"}
        if title:
            doc["title"] = title
        out.append(orjson.dumps(doc))
    return out


def describe(messages: list[bytes], path: Path = DEV_JSONL) -> str:
    mean = sum(map(len, messages)) / len(messages) / 1024
    return f"real news texts of {MIN_BYTES}-{MAX_BYTES} B from {path} (mean message {mean:.1f} KB)"
