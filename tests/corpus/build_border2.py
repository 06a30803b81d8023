"""Expand the hand-labelled sheets raw/border2_*.txt into news_border2.jsonl (same sheet syntax as
build_border.py). Two link shorthands save retyping the feeds' tracking suffixes: `rt:<path>` stands
for `https://www.rt.com/<path>/?utm_source=rss&utm_medium=rss&utm_campaign=RSS` and `aj:<path>` for
`https://www.aljazeera.com/<path>?traffic_source=rss`, exactly as the feed files give them.

The sheet format and its short codes are described in build_border.py and sheet_codes.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from build_border import _norm_title
from build_border import parse as parse_sheet

HERE = Path(__file__).resolve().parent
OUT = HERE / "news_border2.jsonl"


def expand_link(link: str) -> str:
    if link.startswith("rt:"):
        return f"https://www.rt.com/{link[3:]}/?utm_source=rss&utm_medium=rss&utm_campaign=RSS"
    if link.startswith("aj:"):
        return f"https://www.aljazeera.com/{link[3:]}?traffic_source=rss"
    return link


def _existing() -> tuple[set[str], set[str]]:
    """Links and normalised titles already in the other corpus files (they win over the sheets)."""
    links: set[str] = set()
    titles: set[str] = set()
    for path in sorted(HERE.glob("news_*.jsonl")):
        if path.name == OUT.name:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                links.add(rec["source"]["link"])
                titles.add(_norm_title(rec["title"]))
    return links, titles


def main() -> int:
    records: list[dict] = []
    for sheet in sorted((HERE / "raw").glob("border2_*.txt")):
        records.extend(parse_sheet(sheet, expand_link))
    old_links, old_titles = _existing()
    seen_ids: set[str] = set()
    seen_titles: set[str] = set(old_titles)
    out = []
    dropped = 0
    for rec in records:
        key = _norm_title(rec["title"])
        if rec["id"] in seen_ids or key in seen_titles or rec["source"]["link"] in old_links:
            dropped += 1
            continue
        seen_ids.add(rec["id"])
        seen_titles.add(key)
        out.append(rec)
    with open(OUT, "w", encoding="utf-8") as fh:
        for rec in out:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{len(out)} records ({dropped} duplicates dropped)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
