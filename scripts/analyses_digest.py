"""Digest of the analyses of a JSONL of texts, to check that a speed change left them unchanged.

    PYTHONPATH=services python scripts/analyses_digest.py TEXTS.jsonl OUT.json [--compare OLD.json]

Each record (article.v1 lines, or labelled lines with `text`) is analysed; OUT gets one SHA-256
per record of its analysis as JSON (regions, events, topics, language), so the file holds no text
of the input. With --compare, the records whose digest differs from OLD are listed and the exit
status is 1 when any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from newswatch.analysis.engine import Analyzer
from newswatch.domain.model import Article


def digests(path: Path) -> dict[str, str]:
    analyzer = Analyzer.load()
    out = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            record = json.loads(line)
            text = record.get("body") or record.get("text") or ""
            if not text.strip():
                continue
            article = Article(
                str(record.get("id") or n), text, title=record.get("title"), published_at=record.get("date")
            )
            doc = json.dumps(analyzer.analyze(article).to_dict(), sort_keys=True, ensure_ascii=False)
            out[f"{n}:{article.id}"] = hashlib.sha256(doc.encode()).hexdigest()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("texts", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--compare", type=Path, help="an earlier OUT to compare with")
    args = p.parse_args(argv)
    found = digests(args.texts)
    args.out.write_text(json.dumps(found, indent=0, sort_keys=True))
    print(f"{len(found)} analyses digested into {args.out}")
    if args.compare is None:
        return 0
    old = json.loads(args.compare.read_text())
    changed = sorted(k for k in found.keys() | old.keys() if found.get(k) != old.get(k))
    for key in changed[:50]:
        print(f"changed: {key}")
    print(f"{len(changed)} of {len(found)} analyses differ from {args.compare}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
