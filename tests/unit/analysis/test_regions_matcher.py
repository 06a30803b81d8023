"""The name matcher on a small hand-made table, and the per-name reading pruning."""

from __future__ import annotations

import pytest

from newswatch.analysis.regions.anchor import options
from newswatch.analysis.regions.choose import Anchors, choose
from newswatch.analysis.regions.matcher import NameMatcher
from newswatch.analysis.regions.places import COUNTRY, IGNORE, SHORT, SUBDIVISION, TOWN, Place

KYIV = Place(SHORT, "UA", "UA-30", curated=True)
KYIV_OBLAST = Place(SUBDIVISION, "UA", "UA-32", curated=True)
US = Place(COUNTRY, "US", curated=True)
TABLE = {
    "kyiv": [KYIV],
    "kyiv oblast": [KYIV_OBLAST],
    "st. petersburg": [Place(TOWN, "RU", "RU-SPE", 5_000_000)],
    "u.s.": [US],
    "us": [US._replace(exact_case=True)],
    "the hague": [Place(TOWN, "NL", "NL-ZH", 500_000)],
    "kyiv independent": [Place(IGNORE, "")],
    "chad": [Place(COUNTRY, "TD")],
}
MATCHER = NameMatcher(TABLE, frozenset(["chad"]))

# (text, expected surfaces in order)
SCANS = [
    ("Shelling in Kyiv Oblast overnight", ["Kyiv Oblast"]),
    ("KYIV OBLAST, the region", ["KYIV OBLAST"]),
    ("From Kyiv to St. Petersburg.", ["Kyiv", "St. Petersburg"]),
    ("Kyiv", ["Kyiv"]),
    ("U.S. envoys met in The Hague", ["U.S.", "The Hague"]),
    ("US envoys, then Us again", ["US"]),  # an acronym only in capitals
    ("The Kyiv Independent reported", []),  # an outlet hides its places
    ("kyiv in lower case, Kyivska, xKyiv, 2Kyiv", []),
    ("Kyiv Oblastova is no oblast", ["Kyiv"]),
    ("St Petersburg without the dot", []),
    ("The hague", ["The hague"]),  # only the first letter must be a capital
    ("Then The", []),  # a bare prefix of longer names
]


@pytest.mark.parametrize(("text", "expected"), SCANS)
def test_scan_finds_capitalised_names_on_word_boundaries(text: str, expected: list[str]) -> None:
    mentions = MATCHER.scan(text)
    assert [m.surface for m in mentions] == expected
    assert all(text[m.start : m.end] == m.surface for m in mentions)


@pytest.mark.parametrize(("text", "expected"), SCANS)
def test_scan_same_on_ascii_and_other_texts(text: str, expected: list[str]) -> None:
    # ASCII texts are scanned in marked bytes; a non-ASCII character after a
    # newline sends the same text down the general regex.
    assert MATCHER.scan(text + "\né") == MATCHER.scan(text)
    assert [m.surface for m in MATCHER.scan(text + "\né")] == expected


def test_scan_carries_per_name_facts() -> None:
    (kyiv,) = MATCHER.scan("Kyiv")
    assert (kyiv.anchor, kyiv.towns, kyiv.demonym, kyiv.person) == ("UA", False, None, False)
    (chad,) = MATCHER.scan("Chad")
    assert chad.person


TOWN_US_BIG = Place(TOWN, "US", "US-TX", 25_000)
TOWN_US_SMALL = Place(TOWN, "US", "US-TN", 10_000)
TOWN_US_COMMON = Place(TOWN, "US", "US-KY", 9_000, common=True)
TOWN_FR = Place(TOWN, "FR", "FR-IDF", 2_000_000)
TWIN = Place(TOWN, "US", "US-IL", 25_000)  # as big as TOWN_US_BIG, listed after it
PLACES = (TOWN_US_SMALL, TOWN_FR, TOWN_US_BIG, TOWN_US_COMMON, TWIN, Place(COUNTRY, "US"))


def test_options_drop_only_smaller_same_country_namesakes() -> None:
    assert options(PLACES) == (TOWN_FR, TOWN_US_BIG, TOWN_US_COMMON, Place(COUNTRY, "US"))
    assert options((KYIV,)) == (KYIV,)


@pytest.mark.parametrize(
    "known",
    [
        Anchors(frozenset(), frozenset()),
        Anchors(frozenset({"US"}), frozenset({"US"})),
        Anchors(frozenset({"US", "FR"}), frozenset({"FR"})),
        Anchors(frozenset({"DE"}), frozenset({"DE"})),
    ],
)
@pytest.mark.parametrize("admin_slot", [False, True])
def test_options_choose_as_all_readings(known: Anchors, admin_slot: bool) -> None:
    towns = PLACES[:-1]
    assert choose(options(towns), known, admin_slot) == choose(towns, known, admin_slot)
