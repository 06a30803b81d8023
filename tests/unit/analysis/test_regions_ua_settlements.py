"""Ukraine's small settlements from the codifier (regions/ua_settlements.py), on
sentences written for these tests; villages picked from the codifier."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from tests.unit.analysis.support import codes

from newswatch.analysis.regions import RegionResolver
from newswatch.analysis.regions.ua_settlements import add_ua_settlements, oblasts_by_name

CASES = [
    # a village in one oblast only places a short Ukrainian note in it
    ("Monitors in Ukraine recorded shelling near Novozarivka.", {"UA", "UA-14"}),
    ("A drone hit a barn in Patalakhivka, in eastern Ukraine, overnight.", {"UA", "UA-09"}),
    ("In Ukraine, mines were cleared from fields outside Chelburda.", {"UA", "UA-65"}),
    # the press's older spellings (BGN/PCGN, with and without the soft sign)
    ("Monitors in Ukraine recorded shelling near Vodyanske.", {"UA", "UA-14"}),
    ("Monitors in Ukraine recorded shelling near Vodyans'ke.", {"UA", "UA-14"}),
    ("Monitors in Ukraine recorded shelling near Vodianske.", {"UA", "UA-14"}),
    # two-word names
    ("Monitors in Ukraine recorded shelling near Krasnyi Derkul.", {"UA", "UA-09"}),
    # a name in several oblasts (Lviv, Rivne, Ternopil) places nothing on its own...
    ("Monitors in Ukraine recorded shelling near Zolochivka.", {"UA"}),
    # ...and the oblast the text names stands
    ("Shelling hit Zolochivka, Rivne Oblast, in Ukraine.", {"UA", "UA-56"}),
    # a GeoNames town keeps its data (Putylivka, Donetsk oblast, 5,700 people)
    ("Monitors in Ukraine recorded shelling near Putylivka.", {"UA", "UA-14"}),
    # given names and words that are also villages are no places
    ("Nadiia, a nurse in Ukraine, said the night was quiet.", {"UA"}),
    ("Maksym Kovalenko, who lives in Ukraine, said the night was quiet.", {"UA"}),
    ("Talks in Ukraine went on. Step by step, the sides drew closer.", {"UA"}),
    # no Ukraine, or a text about another country: villages are not looked up
    ("A fire broke out in Poland near Novozarivka.", {"PL"}),
    ("Drones were downed over Russia near Dersove, in Russia, officials in Ukraine said.", {"RU"}),
    ("Monitors recorded explosions near Novozarivka.", set()),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_ua_settlements(resolver: RegionResolver, text: str, expected: set[str]) -> None:
    assert codes(resolver, text) == expected


def _table(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "ua.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("key\tsubdivision\tcategory\tofficial\n" + "".join(f"{r}\n" for r in rows))
    return path


def test_loader_keeps_known_names_and_drops_ambiguous_ones(tmp_path: Path) -> None:
    path = _table(
        tmp_path,
        [
            "alpha\tUA-14\tC\t1",  # new
            "beta\tUA-09\tC\t1",  # in two oblasts: ambiguous
            "beta\tUA-14\tC\t1",
            "gamma\tUA-23\tC\t1",  # the matcher scans it already
            "delta\tUA-63\tC\t1",  # GeoNames has a Ukrainian town of that name
            "eps\tUA-65\tX\t0",  # GeoNames has it abroad only
        ],
    )
    assert oblasts_by_name(path) == {
        "alpha": "UA-14",
        "beta": "",
        "gamma": "UA-23",
        "delta": "UA-63",
        "eps": "UA-65",
    }
    lookup = {"delta": "UA|UA-12|2000", "eps": "RU|RU-ROS|3000"}
    assert add_ua_settlements({"gamma": []}, lookup, path) == 2
    assert lookup == {"alpha": "UA|UA-14|0", "delta": "UA|UA-12|2000", "eps": "RU|RU-ROS|3000;UA|UA-65|0"}


WAR_TOWNS = [
    # Ukrainian towns from 5,000 people are scanned under their primary name: found beside
    # another oblast's city (small towns are only looked up when no oblast is named)...
    ("Shelling hit Kharkiv and Soledar in Ukraine.", {"UA", "UA-63", "UA-14"}),
    # ...and from 15,000 under every spelling (GeoNames' primary is "Kup'yans'k", "Avdiyivka")
    ("Shelling of Kupiansk went on through the night.", {"UA", "UA-63"}),
    ("Russia says it has taken Avdiivka.", {"UA", "UA-14"}),  # Russia: the actor, not a place
]


@pytest.mark.parametrize(("text", "expected"), WAR_TOWNS)
def test_towns_of_the_war_are_scanned(resolver: RegionResolver, text: str, expected: set[str]) -> None:
    assert codes(resolver, text) == expected


def test_a_war_town_name_shared_across_oblasts_is_not_scanned(resolver: RegionResolver) -> None:
    # GeoNames has Ukrainian towns called Mykhailivka in several oblasts: the name alone
    # places nothing, and an article naming one gets no oblast from it
    entry = resolver.matcher._names.get("mykhaylivka")
    readings = entry.name if entry is not None else None
    assert readings is None or not any(p.country == "UA" for p in readings.places)
    assert codes(resolver, "Shelling hit Mykhaylivka overnight.") == set()
