"""Expand the hand-labelled sheets raw/energy2_*.txt into news_energy2.jsonl.

Sheet syntax (one item a line; what was read and decided by hand):

    @ <repo> <commit> <path> [feed=<url>] [outlet=<name>]    source of the following items
    <date> ~~ <kind> ~~ <link> ~~ <title> ~~ <text> ~~ <events> ~~ <country> ~~ <admin1>
         ~~ <topics> ~~ <flags> ~~ <note>                         (all on one line)

kind is `hs` (headline + summary) or `art` (full article; `\\n` in text stands for a newline).
events and topics are comma-separated short codes (below), "-" for none; country/admin1 "-" for
none; flags holds "h" for a hard negative. The id is a prefix naming the source plus the first 12
hex digits of sha1(link). Items whose link or normalised title is already in another news_*.jsonl
file, or earlier in the sheets, are dropped (first copy wins).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from sheet_codes import EVENTS, TOPICS, codes

HERE = Path(__file__).resolve().parent
OUT = HERE / "news_energy2.jsonl"

PREFIX = {
    "rumca-js/RSS-Link-Database-2024": "rss24",
    "rumca-js/RSS-Link-Database-2025": "rss25",
    "ptnews/Store": "ptn",
    "MmdrzaCo/Latest": "cnnl",
    "moodHappy/bbc-news-archive": "bbcarc",
    "valueinfomaker-lab/worldnews-archive": "wna",
}
KINDS = {"hs": "headline_summary", "art": "article"}


def norm_title(title: str) -> str:
    """Lower-case words of a title without an outlet suffix (" - Reuters") or punctuation."""
    title = re.sub(r"\s+[-|]\s+[^-|]{2,60}$", "", title)
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", title.lower()).split())


def parse(path: Path) -> list[dict]:
    records: list[dict] = []
    src: dict | None = None
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{n}"
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@ "):
            parts = line[2:].split(" ")
            repo, commit, fpath, extra = parts[0], parts[1], parts[2], parts[3:]
            src = {"repo": repo, "commit": commit, "path": fpath.replace("%20", " ")}
            for kv in extra:
                key, _, value = kv.partition("=")
                src[key] = value.replace("%20", " ")
            continue
        if src is None:
            raise ValueError(f"{where}: item before any @ source line")
        fields = [f.strip() for f in line.split(" ~~ ")]
        if len(fields) != 11:
            raise ValueError(f"{where}: {len(fields)} fields, expected 11")
        date, kind, link, title, text, ev, cc, adm, top, flags, note = fields
        source = {**{k: src[k] for k in ("repo", "commit", "path")}, "link": link}
        source.update({k: v for k, v in src.items() if k not in source})
        rec = {
            "id": f"{PREFIX[src['repo']]}:{hashlib.sha1(link.encode('utf-8')).hexdigest()[:12]}",
            "source": source,
            "kind": KINDS[kind],
            "date": date,
            "title": title,
            "text": text.replace("\\n", "\n"),
            "labels": {
                "events": codes(ev, EVENTS, where),
                "events_labeled": True,
                "country": None if cc == "-" else cc,
                "admin1_iso": None if adm == "-" else adm,
                "topics": codes(top, TOPICS, where),
            },
            "hard_negative": "h" in flags,
        }
        if note and note != "-":
            rec["labeller_note"] = note
        records.append(rec)
    return records


def write_unseen(recs: Iterable[dict], out_path: Path) -> int:
    """Write the records whose link and normalised title no other news_*.jsonl holds yet."""
    seen_links: set[str] = set()
    seen_titles: set[str] = set()
    for other in sorted(HERE.glob("news_*.jsonl")):
        if other == out_path:
            continue
        for line in other.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                seen_links.add(rec["source"]["link"])
                seen_titles.add(norm_title(rec["title"]))
    kept, dropped = [], 0
    for rec in recs:
        key = norm_title(rec["title"])
        if rec["source"]["link"] in seen_links or key in seen_titles:
            dropped += 1
            continue
        seen_links.add(rec["source"]["link"])
        seen_titles.add(key)
        kept.append(rec)
    with out_path.open("w", encoding="utf-8") as fh:
        for rec in kept:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{out_path.name}: {len(kept)} records written, {dropped} duplicates dropped", file=sys.stderr)
    return 0


def main() -> int:
    sheets = sorted((HERE / "raw").glob("energy2_*.txt"))
    return write_unseen((rec for sheet in sheets for rec in parse(sheet)), OUT)


if __name__ == "__main__":
    raise SystemExit(main())
