"""Build the name -> places table from pycountry, GeoNames towns and the aliases.

Everything here runs once at start-up; the result is a plain dict keyed by the
folded spelling (see `places.fold`).
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pycountry

from newswatch.analysis.regions.aliases import REGION_SUFFIXES, RULES_DIR, AliasRules
from newswatch.analysis.regions.facilities import facility_names
from newswatch.analysis.regions.inflections import add_case_forms
from newswatch.analysis.regions.places import Kind, Place, fold, name_keys
from newswatch.analysis.regions.ua_settlements import add_ua_settlements

Table = dict[str, list[Place]]
# Subdivision names made only of these words ("Central", "Western") are
# everyday words, not places.
_GENERIC = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "centre",
        "center",
        "capital",
        "coast",
        "upper",
        "lower",
        "middle",
        "north-east",
        "north-west",
        "south-east",
        "south-west",
        "islands",
        "island",
        "city",
        "region",
        "special",
        "federal",
        "district",
        "lakes",
        "mountain",
        "highlands",
        "interior",
        "littoral",
        "river",
        "valley",
    ]
)
_BRACKETS = re.compile(r"\s*[\[(].*?[\])]")


# Scanned names are matched everywhere, so the more towns scanned, the more
# junk readings of small namesakes; only towns this big, or this big under their primary name, are scanned for
# everywhere; smaller towns are looked up by name where the text calls for a
# place ("Village, Oblast", a short note with no subdivision).
SCAN_ALL_SPELLINGS = 100_000
SCAN_PRIMARY = 15_000
# Where a war is reported, news names much smaller towns ("Soledar", "Vuhledar") and spells
# them several ways ("Kupiansk", "Kupyansk"): lower thresholds there, as (all spellings,
# primary name), for names no other town of that country has in another subdivision (a
# "Mykhailivka" says nothing about which one). Only Ukraine: Russia's small towns are often
# named like people ("Svetlana", "Svoboda"), which cost more than they found on dev data.
SCAN_AT_WAR = {"UA": (15_000, 5_000)}
# Towns with names this short ("Bo", "Of") match inside everyday text too
# often; they are looked up, not scanned for.
SCAN_MIN_KEY = 4


# Small towns, packed: folded name -> "CC|SUB|population;..." (a str per name
# costs a fraction of a list of Place tuples; unpacked only on a lookup hit).
Packed = dict[str, str]


@dataclass(frozen=True, slots=True)
class Gazetteer:
    scanned: Table  # folded name -> places; goes into the matcher
    lookup: Packed  # smaller towns


def unpack(packed: str) -> tuple[Place, ...]:
    out = []
    for row in packed.split(";"):
        cc, sub, pop = row.split("|")
        out.append(Place(Kind.TOWN, cc, sub or None, int(pop)))
    return tuple(out)


def build_gazetteer(rules: AliasRules) -> Gazetteer:
    scanned: Table = defaultdict(list)
    lookup: Packed = {}
    _add_countries(scanned, rules)
    _add_subdivisions(scanned, rules)
    _add_towns(scanned, lookup)
    _add_aliases(scanned, rules)
    add_ua_settlements(scanned, lookup)  # after everything scanned: those names keep their data
    add_case_forms(scanned)  # Харкові, Харківщині: the Cyrillic names in their other cases
    return Gazetteer(dict(scanned), lookup)


def _add(table: Table, names: Iterable[str], place: Place) -> None:
    for name in names:
        exact = name.isupper() and len(name.replace(".", "")) <= 4
        if len(name) < SCAN_MIN_KEY and not exact:
            continue  # "Ain", "Ica": too short to tell from parts of words
        for key in name_keys(name):
            if place not in table[key]:
                table[key].append(place._replace(exact_case=True) if exact else place)


def _add_countries(table: Table, rules: AliasRules) -> None:
    for c in pycountry.countries:
        names = [getattr(c, a, None) for a in ("name", "official_name", "common_name")]
        _add(table, [n for n in names if n and "," not in n], Place(Kind.COUNTRY, c.alpha_2))
    for cc, names in rules.raw["countries"].items():
        _add(table, names, Place(Kind.COUNTRY, cc, curated=True))


def _add_subdivisions(table: Table, rules: AliasRules) -> None:
    for s in pycountry.subdivisions:
        name = _BRACKETS.sub("", s.name).strip()
        if set(fold(name).replace("-", " ").split()) <= _GENERIC:
            continue
        # Second-level units (English unitary authorities such as "Reading")
        # are often everyday words; like common-word towns they need context.
        minor = s.parent_code is not None
        _add(table, [name], Place(Kind.SUBDIVISION, s.country_code, s.code, common=minor))
    for code, entry in rules.raw["subdivisions"].items():
        cc = code.split("-")[0]
        short = entry["short"]
        _add(table, short, Place(Kind.SHORT, cc, code, curated=True))
        suffixed = [f"{n} {sfx}" for n in short for sfx in REGION_SUFFIXES]
        _add(table, [*entry.get("full", []), *suffixed], Place(Kind.SUBDIVISION, cc, code, curated=True))


def _add_towns(scanned: Table, lookup: Packed) -> None:
    # The hot loop of start-up (~300k rows): keys come pre-folded from the
    # build script and country/subdivision strings are interned, not copied.
    intern = sys.intern
    at_war: list[tuple[str, Place]] = []  # scanned if their name proves unambiguous
    war_subs: dict[tuple[str, str], set[str | None]] = defaultdict(set)  # (key, cc) -> subdivisions
    with gzip.open(RULES_DIR / "places.tsv.gz", "rt", encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        next(rows)
        for key, cc, sub, pop, primary, common in rows:
            n = int(pop)
            war = SCAN_AT_WAR.get(cc)
            if war is not None:
                war_subs[key, cc].add(sub)
            big = n >= SCAN_ALL_SPELLINGS or (n >= SCAN_PRIMARY and primary == "1")
            if (big and len(key) >= SCAN_MIN_KEY) or key in scanned:
                place = Place(Kind.TOWN, intern(cc), intern(sub) if sub else None, n, common == "1")
                scanned[key].append(place)
                continue
            if (
                war is not None
                and (n >= war[0] or (n >= war[1] and primary == "1"))
                and len(key) >= SCAN_MIN_KEY
            ):
                place = Place(Kind.TOWN, intern(cc), intern(sub) if sub else None, n, common == "1")
                at_war.append((key, place))
            if common == "0":  # a small town that is also a word is never worth a lookup
                row = f"{cc}|{sub}|{pop}"
                lookup[key] = f"{lookup[key]};{row}" if key in lookup else row
    for key, place in at_war:
        if len(war_subs[key, place.country]) > 1:
            continue  # towns of that name in several subdivisions
        readings = scanned[key]
        if key in lookup:  # its namesakes elsewhere come along, as for any scanned name
            readings.extend(unpack(lookup.pop(key)))
        if place not in readings:
            # the lookup's copy of this town (not flagged common): this one replaces it
            readings[:] = [p for p in readings if p[:4] != place[:4]]
            readings.append(place)


def _add_aliases(table: Table, rules: AliasRules) -> None:
    raw = rules.raw
    for town in raw["towns"]:
        place = Place(Kind.TOWN, town["country"], town.get("subdivision"), town["population"], curated=True)
        _add(table, town["names"], place)
    for feat in raw["features"]:
        place = Place(Kind.FEATURE, feat["country"], feat.get("subdivision"), curated=True)
        _add(table, feat["names"], place)
    for names, place in facility_names(RULES_DIR / "facilities.yaml"):
        _add(table, names, place)
    for cc, names in raw["demonyms"].items():
        _add(table, names, Place(Kind.DEMONYM, cc))
    for name in raw["ignore"]:
        for key in name_keys(name):  # an outlet's name hides every other reading
            table[key] = [Place(Kind.IGNORE, "")]
