"""Second chance for small places: look capitalised names up among small towns.

Small towns are not in the scanning matcher (they would be noisy);
when a short text names no subdivision, its capitalised names are looked up
here, but only within the countries the text already names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newswatch.analysis.regions.gazetteer import Packed, unpack
from newswatch.analysis.regions.matcher import Mention, describe
from newswatch.analysis.regions.places import Place, fold

# Longer texts name their subdivisions; looking up every capitalised word of a
# long article would cost time for little.
MAX_TEXT = 2_000
_NAME = re.compile(r"[A-ZÀ-ÞА-ЯЁІЇЄҐ][\w'’\-]*(?:\s[A-ZÀ-ÞА-ЯЁІЇЄҐ][\w'’\-]*){0,2}")


def small_towns(
    text: str, table: Packed, mentions: Sequence[Mention], countries: frozenset[str]
) -> list[Mention]:
    """Capitalised names, outside known mentions, that are small towns in `countries`."""
    if len(text) > MAX_TEXT or not countries:
        return []
    taken = {i for m in mentions for i in range(m.start, m.end)}
    out = []
    for m in _NAME.finditer(text):
        if m.start() in taken or (m.start() and text[m.start() - 1].isalnum()):
            continue
        found = _longest(m.group(), table, countries)
        if found:
            name, places = found
            out.append(Mention(m.start(), m.start() + len(name), name, *describe(places)))
    return out


def _longest(phrase: str, table: Packed, countries: frozenset[str]) -> tuple[str, tuple[Place, ...]] | None:
    words = phrase.split()
    for n in range(len(words), 0, -1):
        name = " ".join(words[:n])
        packed = table.get(fold(name))
        places = tuple(p for p in unpack(packed) if p.country in countries) if packed else ()
        if places:
            return name, (max(places, key=lambda p: p.population),)
    return None
