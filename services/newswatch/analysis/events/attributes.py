"""Computed event attributes: counts, casualties, area, magnitude (numbers near cue words).

Each extractor takes the sentence text, its phrase hits by set (offsets relative to
the sentence) and the trigger hit, and returns attributes to merge into the event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from newswatch.analysis.events.context import words_between
from newswatch.analysis.events.dates import MONTH_WORDS
from newswatch.analysis.events.matcher import Hit
from newswatch.analysis.numbers import Quantity, find_quantities

Hits = Mapping[str, Sequence[Hit]]
_PLACE = re.compile(r"\s+(?:the\s+)?((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)*)")
_MAGNITUDE = re.compile(r"magnitude[- ](\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)[- ]magnitude", re.IGNORECASE)


def _looks_like_year(text: str, q: Quantity) -> bool:
    return 1900 <= q.value <= 2100 and text[q.start : q.end].isdigit()  # "2023", not "2,000"


def _is_date_part(text: str, q: Quantity) -> bool:
    after = text[q.end : q.end + 12].strip().split(" ", 1)[0].strip(",.").lower()
    before = text[max(0, q.start - 12) : q.start].strip().rsplit(" ", 1)[-1].strip(",.").lower()
    return after in MONTH_WORDS or before in MONTH_WORDS or _looks_like_year(text, q)


@lru_cache(maxsize=512)
def quantities(text: str) -> list[Quantity]:
    """Quantities that are not parts of dates; cached because several events share a sentence."""
    found = find_quantities(text)
    if not found:
        return found
    low = text.lower()
    # The words around a number can only be a month if the sentence names one somewhere.
    if not any(m in low for m in MONTH_WORDS):
        return [q for q in found if not _looks_like_year(text, q)]
    return [q for q in found if not _is_date_part(text, q)]


# Quantities come in text order without overlaps, so their starts and ends both rise and
# the word count to `at` only grows with the distance: the quantity closest to `at` on
# the wanted side is the only one that can be within the window.


def _nearest_before(text: str, qs: list[Quantity], at: int, window: int) -> Quantity | None:
    """The last quantity ending by `at`, if at most `window` words lie between."""
    for q in reversed(qs):
        if q.end <= at:
            return q if words_between(text, q.end, at) <= window else None
    return None


def _nearest_after(text: str, qs: list[Quantity], at: int, window: int) -> Quantity | None:
    """The first quantity starting at or after `at`, if at most `window` words lie between."""
    for q in qs:
        if q.start >= at:
            return q if words_between(text, at, q.start) <= window else None
    return None


def _count_for(text: str, qs: list[Quantity], cue: Hit) -> Quantity | None:
    # "5 civilians were killed" (number before) or "killing at least six" (number after)
    return _nearest_before(text, qs, cue.start, 5) or _nearest_after(text, qs, cue.end, 3)


def casualties(text: str, hits: Hits, trigger: Hit) -> dict[str, Any]:
    qs = quantities(text)
    out: dict[str, Any] = {}
    for attr, set_name in (("killed", "cas_killed"), ("injured", "cas_injured")):
        for cue in hits.get(set_name, ()):
            q = _count_for(text, qs, cue)
            if q is not None:
                out[attr] = q.to_attr()["value"]
                break
    who = sorted({h.value for h in (*hits.get("cas_civilian", ()), *hits.get("cas_military", ()))})
    if who:
        out["who"] = who
    return out


def area(text: str, hits: Hits, trigger: Hit) -> dict[str, Any]:
    q = next((q for q in quantities(text) if q.unit), None)
    return {"area": q.to_attr()} if q else {}


def count(text: str, hits: Hits, trigger: Hit) -> dict[str, Any]:
    qs = quantities(text)
    q = _nearest_after(text, qs, trigger.end, 4) or _nearest_before(text, qs, trigger.start, 6)
    return {"count": q.to_attr()} if q else {}


def size(text: str, hits: Hits, trigger: Hit) -> dict[str, Any]:
    q = _nearest_before(text, quantities(text), trigger.start, 6)
    return {"size": q.to_attr()} if q else {}


def magnitude(text: str, hits: Hits, trigger: Hit) -> dict[str, Any]:
    m = _MAGNITUDE.search(text)
    return {"magnitude": float(m.group(1) or m.group(2))} if m else {}


def places(text: str, hits: Hits, trigger: Hit) -> dict[str, Any]:
    # Capitalised words after the trigger name the settlement ("retook Mala Rohan, Kharkiv").
    tail = text[trigger.end : trigger.end + 80]
    m = _PLACE.match(tail)
    return {"places": [m.group(1)]} if m else {}


def actors(text: str, hits: Hits, trigger: Hit) -> dict[str, Any]:
    """Every side named in the sentence, in order of first mention (clashes have two)."""
    named = list(dict.fromkeys(h.value for h in sorted(hits.get("actor", ()))))
    return {"actors": named} if named else {}


def border(text: str, hits: Hits, trigger: Hit) -> dict[str, Any]:
    """The countries named in the sentence as ISO codes: the two sides of the border."""
    codes = sorted({h.value for h in hits.get("border_country", ())})
    return {"border": codes} if codes else {}


# The phrase sets each extractor reads besides the trigger (only these are passed on).
EXTRACTOR_SETS: dict[str, tuple[str, ...]] = {
    "casualties": ("cas_killed", "cas_injured", "cas_civilian", "cas_military"),
    "actors": ("actor",),
    "border": ("border_country",),
}

# The extractors whose result depends on the trigger hit (the others read only the sentence).
TRIGGER_EXTRACTORS = frozenset({"count", "size", "places"})

EXTRACTORS: dict[str, Callable[[str, Hits, Hit], dict[str, Any]]] = {
    "actors": actors,
    "border": border,
    "casualties": casualties,
    "area": area,
    "count": count,
    "size": size,
    "magnitude": magnitude,
    "places": places,
}
