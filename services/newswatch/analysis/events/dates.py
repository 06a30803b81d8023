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


def stated_date(sentence: str) -> str | None:
    """ISO date of the first full date (day, month name, year) in the sentence, else None."""
    m = _DMY.search(sentence)
    if m:
        day, month, year = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
    else:
        m = _MDY.search(sentence)
        if not m:
            return None
        month, day, year = _MONTHS[m.group(1).lower()], int(m.group(2)), int(m.group(3))
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
