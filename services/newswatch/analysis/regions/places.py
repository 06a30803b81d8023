"""What a matched name can stand for: the `Place` record and text folding."""

from __future__ import annotations

import unicodedata
from enum import IntEnum
from typing import NamedTuple


class Kind(IntEnum):
    COUNTRY = 1
    SUBDIVISION = 2  # by its full name ("Kharkiv Oblast")
    SHORT = 3  # a subdivision by a short name it shares with its capital ("Kharkiv")
    TOWN = 4
    FEATURE = 5  # river, region, landmark: a country (and maybe subdivision), no town
    DEMONYM = 6
    IGNORE = 7  # outlet, team, person: hides the places inside it


# Plain names for the members: looking one up on the enum class costs ~70 ns
# on Python 3.11, and the per-mention code compares kinds often.
COUNTRY, SUBDIVISION, SHORT, TOWN, FEATURE, DEMONYM, IGNORE = Kind


class Place(NamedTuple):
    """One reading of a name. `subdivision` is ISO 3166-2 or None.

    A NamedTuple, not a dataclass: hundreds of thousands are built at start-up.
    """

    kind: Kind
    country: str
    subdivision: str | None = None
    population: int = 0
    common: bool = False  # also an everyday English word: needs context
    exact_case: bool = False  # acronym ("US"): must match letter for letter
    curated: bool = False  # from the hand-written aliases: trusted without context

    @property
    def code(self) -> str:
        return self.subdivision or self.country


def _strip_marks(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case with one apostrophe; same length as `text` (offsets carry over)."""
    low = text.lower()
    if len(low) != len(text):  # a few letters (İ) grow when lower-cased
        low = "".join(c.lower()[0] for c in text)
    return low.replace("’", "'")


def name_keys(name: str) -> set[str]:
    """Matcher keys for a name: as written and without diacritics (Kraków, Krakow)."""
    keys = {fold(name).strip(), fold(_strip_marks(name)).strip()}
    return {k for k in keys if len(k) >= 2}
