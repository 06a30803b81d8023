"""The KATOTTG -> ISO 3166-2 oblast table and the generated settlements file
(scripts/build_ua_settlements.py); needs neither the build packages nor the resolver."""

from __future__ import annotations

import csv
import gzip

import pycountry
import pytest

from newswatch.analysis.regions.aliases import RULES_DIR
from newswatch.analysis.regions.places import fold


def _oblasts() -> list[dict[str, str]]:
    with (RULES_DIR / "ua_oblasts.tsv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(scope="module")
def settlements() -> list[list[str]]:
    with gzip.open(RULES_DIR / "ua_settlements.tsv.gz", "rt", encoding="utf-8", newline="") as f:
        return [line.rstrip("\n").split("\t") for line in f]


def test_every_first_level_unit_maps_to_its_iso_code_once() -> None:
    rows = _oblasts()
    iso = {s.code: s.name for s in pycountry.subdivisions.get(country_code="UA") if s.parent_code is None}
    assert sorted(r["iso3166_2"] for r in rows) == sorted(iso)
    assert len({r["katottg"] for r in rows}) == len(rows) == 27
    for r in rows:
        # pycountry's names are the KMU romanisation plus "oblast" for oblasts.
        assert iso[r["iso3166_2"]].removesuffix(" oblast") == r["name_kmu"], r


@pytest.mark.parametrize(
    ("katottg", "iso"),
    [
        ("UA14", "UA-14"),  # Donetska: same number
        ("UA44", "UA-09"),  # Luhanska: the codifier renumbered it
        ("UA73", "UA-77"),  # Chernivetska
        ("UA01", "UA-43"),  # Crimea
        ("UA80", "UA-30"),  # Kyiv city
        ("UA85", "UA-40"),  # Sevastopol
    ],
)
def test_codes_that_differ(katottg: str, iso: str) -> None:
    assert {r["katottg"]: r["iso3166_2"] for r in _oblasts()}[katottg] == iso


def test_settlements_file_is_sorted_folded_and_mapped(settlements: list[list[str]]) -> None:
    header, rows = settlements[0], settlements[1:]
    assert header == ["key", "subdivision", "category", "official"]
    assert len(rows) > 30_000
    assert rows == sorted(rows) and len({(r[0], r[1]) for r in rows}) == len(rows)
    isos = {r["iso3166_2"] for r in _oblasts()}
    for key, sub, category, official in rows:
        assert key == fold(key).strip() and sub in isos and category in "MTXC" and official in "01"


def test_spellings_of_one_village(settlements: list[list[str]]) -> None:
    # Водянське (Donetsk oblast): KMU, BGN with and without the soft sign, Cyrillic.
    found = {(r[0], r[1], r[3]) for r in settlements[1:] if r[1] == "UA-14"}
    assert ("vodianske", "UA-14", "1") in found
    assert {("vodyans'ke", "UA-14", "0"), ("vodyanske", "UA-14", "0"), ("водянське", "UA-14", "0")} <= found


def test_geonames_ukrainian_towns_and_common_words_are_left_out(settlements: list[list[str]]) -> None:
    keys = {r[0] for r in settlements[1:]}
    with gzip.open(RULES_DIR / "places.tsv.gz", "rt", encoding="utf-8", newline="") as f:
        geonames_ua = {line.split("\t")[0] for line in f if line.split("\t")[1] == "UA"}
    assert not keys & geonames_ua
    # a word, a given name, a surname: all are also villages in the codifier
    assert not keys & {"step", "nadiia", "maksym", "tymoshenko", "svoboda"}
