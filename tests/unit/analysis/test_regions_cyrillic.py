"""Cyrillic place names in their cases (Харкові, Харківщині, Києві, Киеве) resolve to their regions."""

from __future__ import annotations

import pytest

from newswatch.analysis.regions import RegionResolver
from newswatch.analysis.regions.inflections import case_forms


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("харків", {"харкова", "харкову", "харкові", "харковом"}),  # -ів: і turns to о
        ("київ", {"києва", "києву", "києві", "києвом"}),  # -їв: ї turns to є
        ("харківщина", {"харківщини", "харківщині", "харківщину", "харківщиною"}),
        ("одеса", {"одеси", "одесі", "одесу", "одесою"}),
        ("одесса", {"одессы", "одессе", "одессу", "одессой"}),  # Russian endings too
        ("горлівка", {"горлівці", "горлівку", "горлівки"}),  # к turns to ц before -і
        ("херсон", {"херсона", "херсоні", "херсоном", "херсоне"}),
        ("дніпро", {"дніпра", "дніпрі", "дніпром"}),
        ("тернопіль", {"тернополя", "тернополі", "тернополем"}),
        ("запоріжжя", {"запоріжжі", "запоріжжю", "запоріжжям"}),
        ("чернівці", {"чернівцях", "чернівцям", "чернівців"}),
        ("україна", {"україні", "україну", "україною", "україни"}),
        ("росія", {"росії", "росію", "росією"}),
    ],
)
def test_case_forms(name: str, forms: set[str]) -> None:
    assert forms <= case_forms(name)


@pytest.mark.parametrize("name", ["kharkiv", "кривий ріг", ""])
def test_no_forms_for_latin_or_multiword_names(name: str) -> None:
    assert case_forms(name) == set()


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Вночі у Харкові пролунали вибухи.", {"UA", "UA-63"}),
        ("Ворог обстріляв громади на Харківщині.", {"UA", "UA-63"}),
        ("У Києві оголошено повітряну тривогу.", {"UA", "UA-30"}),
        ("В Киеве и Харькове прогремели взрывы.", {"UA", "UA-30", "UA-63"}),
        ("Ситуація у Харківській області залишається складною.", {"UA", "UA-63"}),
        ("На Донеччині та в Горлівці тривають бої.", {"UA", "UA-14"}),
        ("Удари по Одесі та Дніпру.", {"UA", "UA-51", "UA-12"}),
    ],
)
def test_declined_names_resolve(resolver: RegionResolver, text: str, codes: set[str]) -> None:
    assert {r.code for r in resolver.resolve(text).regions} == codes
