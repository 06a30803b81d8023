"""The date an event occurred, when the sentence states it ("On 30 April 2023")."""

from __future__ import annotations

import re

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"),
        start=1,
    )
}  # fmt: skip
_M = "|".join(_MONTHS)
_DMY = re.compile(rf"\b(\d{{1,2}})\s+({_M})\s+(\d{{4}})\b", re.IGNORECASE)
_MDY = re.compile(rf"\b({_M})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE)
MONTH_WORDS = frozenset(_MONTHS)
# Both date forms hold a four-digit year: a text without one needs no month search.
_YEAR = re.compile(r"\d\d\d\d")  # the same as \d{4}, found faster by the engine


def stated_date(sentence: str) -> str | None:
    """ISO date of the first full date (day, month name, year) in the sentence, else None."""
    dates = stated_dates(sentence)
    return dates[0][1] if dates else None


def stated_dates(text: str) -> list[tuple[int, str]]:
    """Every full date in the text as (offset, ISO date), in text order (one pass each way)."""
    if not has_year(text):
        return []
    found = []
    for m in _DMY.finditer(text):
        found.append((m.start(), _iso(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))))
    for m in _MDY.finditer(text):
        found.append((m.start(), _iso(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))))
    return sorted((at, iso) for at, iso in found if iso)


def has_year(text: str) -> bool:
    """Whether the text holds four digits in a row: no full date without them (cheap test)."""
    return _YEAR.search(text) is not None


def _iso(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= day <= 31 else ""
