"""Expand the hand-labelled sheets raw/border2_*.txt into news_border2.jsonl (same sheet syntax as
build_border.py). Two link shorthands save retyping the feeds' tracking suffixes: `rt:<path>` stands
for `https://www.rt.com/<path>/?utm_source=rss&utm_medium=rss&utm_campaign=RSS` and `aj:<path>` for
`https://www.aljazeera.com/<path>?traffic_source=rss`, exactly as the feed files give them.

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
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "news_border2.jsonl"

EVENTS = {
    "bc": "border_crossing",
    "pp": "power_plant_strike",
    "is": "infrastructure_strike",
    "st": "strike",
    "ac": "armed_clash",
    "tc": "territorial_change",
    "rt": "retreat",
    "bo": "blackout",
    "cs": "casualties",
    "el": "equipment_loss",
    "dp": "displacement",
}
TOPICS = {
    "art": "arts_culture_entertainment",
    "cri": "crime",
    "dis": "disaster",
    "eco": "economy",
    "edu": "education",
    "env": "environment",
    "hea": "health",
    "hum": "human_interest",
    "lab": "labour",
    "lif": "lifestyle",
    "pol": "politics",
    "rel": "religion",
    "sci": "science_technology",
    "soc": "society",
    "spo": "sport",
    "con": "conflict",
    "wea": "weather",
}
REPOS = {"24": "rumca-js/RSS-Link-Database-2024", "25": "rumca-js/RSS-Link-Database-2025"}
DATE = re.compile(r"/(\d{4}-\d{2}-\d{2})/")


def expand_link(link: str) -> str:
    if link.startswith("rt:"):
        return f"https://www.rt.com/{link[3:]}/?utm_source=rss&utm_medium=rss&utm_campaign=RSS"
    if link.startswith("aj:"):
        return f"https://www.aljazeera.com/{link[3:]}?traffic_source=rss"
    return link


def _codes(field: str, table: dict[str, str], where: str) -> list[str]:
    if field.strip() in ("", "-"):
        return []
    out = []
    for code in field.split(","):
        code = code.strip()
        if code not in table:
            raise ValueError(f"{where}: unknown code {code!r}")
        out.append(table[code])
    return out


def parse(path: Path) -> list[dict]:
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
        link = expand_link(link)
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
                "events": _codes(ev, EVENTS, where),
                "events_labeled": True,
                "country": None if country == "-" else country,
                "admin1_iso": None if admin1 == "-" else admin1,
                "topics": _codes(topics, TOPICS, where),
            },
            "hard_negative": "h" in flags,
        }
        if note:
            rec["labeller_note"] = note
        records.append(rec)
    return records


def _norm_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


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
        records.extend(parse(sheet))
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
