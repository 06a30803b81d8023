"""Ukraine's villages from the official codifier (KATOTTG) as small-town lookups.

GeoNames stops at ~1,000 people, and many front-line villages are smaller;
`scripts/build_ua_settlements.py` writes every settlement of the codifier,
romanised (`ua_settlements.tsv.gz`). They join the small-town lookup only
(`villages.small_towns`: a short text that names Ukraine but no subdivision),
never the scanning matcher, so they cannot add a country to any text.

A spelling the codifier has in several oblasts ("Ukrainske" is in nine) says
nothing about the oblast on its own: it is left out, and the text's own
oblast, if it names one, stands. Names the matcher already knows (countries,
subdivisions, aliases, big towns) and GeoNames' Ukrainian towns keep their data.
"""

from __future__ import annotations

import csv
import gzip
import sys
from collections.abc import Container
from pathlib import Path

from newswatch.analysis.regions.aliases import RULES_DIR

SETTLEMENTS = RULES_DIR / "ua_settlements.tsv.gz"


def oblasts_by_name(path: Path = SETTLEMENTS) -> dict[str, str]:
    """Folded spelling -> its one ISO 3166-2 oblast; "" when in several oblasts."""
    out: dict[str, str] = {}
    intern = sys.intern
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        next(rows)
        for key, sub, _category, _official in rows:
            out[key] = "" if out.get(key, sub) != sub else intern(sub)
    return out


def add_ua_settlements(scanned: Container[str], lookup: dict[str, str], path: Path = SETTLEMENTS) -> int:
    """Add the codifier's unambiguous settlements to `lookup` (packed as in
    `gazetteer._add_towns`); the number added."""
    added = 0
    for key, sub in oblasts_by_name(path).items():
        if not sub or key in scanned:
            continue
        packed = lookup.get(key)
        if packed is None:
            lookup[key] = f"UA|{sub}|0"
        elif not packed.startswith("UA|") and ";UA|" not in packed:  # namesakes abroad only
            lookup[key] = f"{packed};UA|{sub}|0"
        else:
            continue  # GeoNames has a Ukrainian town of that name: its data stands
        added += 1
    return added
