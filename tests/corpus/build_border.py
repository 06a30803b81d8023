"""Expand the hand-labelled raw sheets (raw/border_*.txt) into news_border.jsonl.

The sheets hold what was read and decided by hand, in a compact form:

    @ <24|25> <commit> <path>                  source file the following items come from
    <link> ~~ <title> ~~ <text> ~~ <events> ~~ <country> ~~ <admin1_iso> ~~ <topics> ~~ <flags> ~~ <note>

events and topics are comma-separated short codes (below), "-" for none; flags holds "h" for a hard
negative; country/admin1 "-" for none. The date is the day folder of the source path.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from sheet_codes import DATE, EVENTS, REPOS, TOPICS, codes

HERE = Path(__file__).resolve().parent


def parse(path: Path, expand: Callable[[str], str] = str) -> list[dict]:
    records: list[dict] = []
    src: tuple[str, str, str] | None = None
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{n}"
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@ "):
            _, year, commit, fpath = line.split(" ", 3)
            src = (year, commit, fpath.strip())
            continue
        if src is None:
            raise ValueError(f"{where}: item before any @ source line")
        parts = [p.strip() for p in line.split(" ~~ ")]
        if len(parts) == 8:
            parts.append("")
        if len(parts) != 9:
            raise ValueError(f"{where}: {len(parts)} fields")
        link, title, text, ev, country, admin1, topics, flags, note = parts
        link = expand(link)
        year, commit, fpath = src
        m = DATE.search("/" + fpath)
        if not m:
            raise ValueError(f"{where}: no date in {fpath}")
        rec = {
            "id": f"rss{year}:" + hashlib.sha1(link.encode()).hexdigest()[:12],
            "source": {"repo": REPOS[year], "commit": commit, "path": fpath, "link": link},
            "kind": "headline_summary",
            "date": m.group(1),
            "title": title,
            "text": text,
            "labels": {
                "events": codes(ev, EVENTS, where),
                "events_labeled": True,
                "country": None if country == "-" else country,
                "admin1_iso": None if admin1 == "-" else admin1,
                "topics": codes(topics, TOPICS, where),
            },
            "hard_negative": "h" in flags,
        }
        if note:
            rec["labeller_note"] = note
        records.append(rec)
    return records


def _norm_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def main() -> int:
    records: list[dict] = []
    for sheet in sorted((HERE / "raw").glob("border_*.txt")):
        records.extend(parse(sheet))
    seen_ids: set[str] = set()
    seen_titles: set[str] = set()
    out = []
    dropped = 0
    for rec in records:
        key = _norm_title(rec["title"])
        if rec["id"] in seen_ids or key in seen_titles:
            dropped += 1
            continue
        seen_ids.add(rec["id"])
        seen_titles.add(key)
        out.append(rec)
    with open(HERE / "news_border.jsonl", "w", encoding="utf-8") as fh:
        for rec in out:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{len(out)} records ({dropped} duplicates dropped)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
