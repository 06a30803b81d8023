"""Region resolution on sentences written for these tests (no corpus text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.analysis.support import codes

from newswatch.analysis.regions import RegionResolver
from newswatch.domain.model import Location

# (text, codes that must be there, codes that must not)
CASES = [
    # spellings, transliterations and scripts of one place
    ("Explosions were heard in Kharkiv overnight.", {"UA", "UA-63"}, set()),
    ("Explosions were heard in Kharkov overnight.", {"UA", "UA-63"}, set()),
    ("Вибухи пролунали в місті Харків.", {"UA", "UA-63"}, set()),
    ("Air raid sirens sounded across Kiev.", {"UA", "UA-30"}, {"UA-32"}),
    ("Ships left the port of Odessa at dawn.", {"UA-51"}, set()),
    ("Ships left the port of Odesa at dawn.", {"UA-51"}, set()),
    ("The plant near Zaporozhye lost power.", {"UA-23"}, set()),
    ("The plant near Zaporizhzhia lost power.", {"UA-23"}, set()),
    ("A drone hit a depot in Nikolaev.", {"UA-48"}, set()),
    ("Officials in Dnipropetrovsk region reported damage.", {"UA-12"}, set()),
    ("Fighting continued around Lugansk.", {"UA-09"}, set()),
    ("Ferries to Crimea were suspended.", {"UA", "UA-43"}, set()),
    ("Warships stayed in Sevastopol harbour.", {"UA-40"}, set()),
    ("Rescuers worked in Kyiv City after the blast.", {"UA-30"}, {"UA-32"}),
    ("Rescuers worked in Kyiv Oblast after the blast.", {"UA-32"}, {"UA-30"}),
    ("Shells landed in Belgorod region on Sunday.", {"RU", "RU-BEL"}, {"UA"}),
    ("A fuel depot burned in Kursk.", {"RU", "RU-KRS"}, set()),
    ("Drones were downed over Bryansk.", {"RU", "RU-BRY"}, set()),
    # "Village, Oblast" places the village in the oblast even when unknown
    ("Troops shelled Zelenyi Hai, Kherson oblast, at night.", {"UA", "UA-65"}, set()),
    ("Artillery hit Pryvilne village, Mykolaiv, on Friday.", {"UA-48"}, set()),
    ("The convoy stopped near Bucha, Kyiv.", {"UA-32"}, {"UA-30"}),
    ("Mayors from Lviv, Kyiv and Odesa met.", {"UA-46", "UA-30", "UA-51"}, {"UA-32"}),
    # the Dnipro River is not Dnipro city
    ("Ukrainian forces crossed the Dnipro River near Kherson.", {"UA", "UA-65"}, {"UA-12"}),
    ("Boats ferried soldiers across the Dnipro at night.", {"UA"}, {"UA-12"}),
    ("A missile hit an apartment block in Dnipro.", {"UA-12"}, set()),
    # Georgia by context
    ("Protesters filled the streets of Tbilisi, the capital of Georgia.", {"GE"}, {"US", "US-GA"}),
    ("Storms knocked out power in Atlanta and across Georgia.", {"US", "US-GA"}, {"GE"}),
    # yardsticks and outlets do not place a story
    ("Forces retook land twice the area of Greater London near Izium, Kharkiv.", {"UA-63"}, {"GB"}),
    ("The Daily Mail reported heavy shelling in Kharkiv.", {"UA-63"}, {"GB"}),
    ("The New York Times cited officials in Kherson.", {"UA-65"}, {"US"}),
    ("Reporters from the Kyiv Independent visited Sumy.", {"UA-59"}, {"UA-30"}),
    # an attacker named by its demonym is an actor, not a place
    ("Russian forces shelled Orikhiv, Zaporizhzhia oblast.", {"UA", "UA-23"}, {"RU"}),
    ("Russia launched missiles at Odesa overnight.", {"UA-51"}, {"RU"}),
    ("Shelling killed two in the Russian city of Belgorod.", {"RU", "RU-BEL"}, set()),
    # common words and people are not places
    ("Nice weather helped farmers in March.", set(), {"FR", "GB"}),
    ("Michael Jordan visited a school in Chicago.", {"US"}, {"JO"}),
    ("Vladimir Putin spoke about Kherson.", {"UA-65"}, {"RU-VLA"}),
    ("The US and Poland sent aid to Lviv.", {"UA-46"}, set()),
    ("Fans cheered as Chad Johnson scored twice in the second half.", set(), {"TD"}),
    ("The coach praised midfielder Rashad Jordan after the match.", set(), {"JO"}),
    ("Refugees crossed from Syria into Jordan last year.", {"JO"}, set()),
    ("the turkey was roasted and served on fine china", set(), {"TR", "CN"}),
    ("Reading is a pleasure, and we split the bill at the bar.", set(), {"GB", "HR"}),
    ("Mobile phones were cheaper in March.", set(), {"US", "GB"}),
    # a capital speaking is a government, not a place; a headline passive is a place
    ("Moscow said the talks had failed, while shelling hit Kherson.", {"UA-65"}, {"RU", "RU-MOW"}),
    ("Belgorod and Dnipro attacked as the war escalates", {"RU-BEL", "UA-12"}, set()),
    # only actors named: no place at all
    ("Substations were damaged after Russian attacks, officials said.", set(), {"RU"}),
    # provinces named after no town inside them (GeoNames units mapped by hand)
    ("Cricket fans packed the stadium in Lahore.", {"PK", "PK-PB"}, set()),
    ("Rebels advanced on Goma overnight.", {"CD", "CD-NK"}, set()),
    ("An airstrike hit a camp near Sidon.", {"LB", "LB-JA"}, set()),
    ("Crowds rallied in Seoul against the president.", {"KR", "KR-11"}, set()),
    ("A blast shook a depot near Florence.", {"IT", "IT-52"}, set()),
    # regions news names by their geography
    ("Troops took positions in the Golan Heights buffer zone.", {"SY", "SY-QU"}, set()),
    ("Airstrikes hit villages in the Bekaa Valley.", {"LB", "LB-BI"}, set()),
]


@pytest.mark.parametrize(("text", "present", "absent"), CASES)
def test_resolves_regions(resolver: RegionResolver, text: str, present: set[str], absent: set[str]) -> None:
    found = codes(resolver, text)
    assert present <= found, found
    assert not (absent & found), found


def test_subdivision_brings_its_country(resolver: RegionResolver) -> None:
    found = codes(resolver, "Power was cut in Chernihiv and Poltava.")
    assert {"UA", "UA-74", "UA-53"} <= found


# (text, span to locate as (start word, end word), expected location)
LOCATE = [
    # the most specific place inside the span
    (
        "Fighting raged in Donetsk oblast. A shell hit a school in Kramatorsk.",
        ("A shell", "Kramatorsk."),
        Location("UA", "UA-14", "Kramatorsk"),
    ),
    # an unknown village keeps its name and its oblast
    (
        "Troops shelled Zelenyi Hai, Kherson oblast. Nobody was hurt.",
        ("Troops", "oblast."),
        Location("UA", "UA-65", "Zelenyi Hai"),
    ),
    # a span naming no place falls back to the article's main place
    (
        "Kharkiv was shelled again. Nobody was hurt.",
        ("Nobody", "hurt."),
        Location("UA", "UA-63", "Kharkiv"),
    ),
]


@pytest.mark.parametrize(("text", "span", "expected"), LOCATE)
def test_locate(resolver: RegionResolver, text: str, span: tuple[str, str], expected: Location) -> None:
    start = text.index(span[0])
    end = text.index(span[1]) + len(span[1])
    assert resolver.resolve(text).locate(start, end) == expected


# Where an event happened, not who acted: texts that name countries only (no town or region).
EVENT_COUNTRY = [
    # the subject acts; the country after a preposition is where
    ("Israel pulls its troops back from Lebanon as the deadline passes", "LB"),
    # the target of the action, told by a demonym or a possessive after the verb
    ("Russia hits Ukrainian energy facilities as winter sets in", "UA"),
    ("Russia knocks out power to Ukraine's cold capital", "UA"),
    # a demonym opening the sentence is the side that acts: no place then
    ("Ukrainian drones hit a refinery overnight", None),
    # a country's bare name before a noun of war is where it is fought
    ("Ukraine hails the Russia incursion as a success", "RU"),
    # ... but after a possessive it is the actor
    ("Russia's invasion goes on", None),
    # demonyms of the Middle East before a place noun
    ("Soldiers were filmed in a Lebanese village", "LB"),
    ("Tanks moved into Syrian territory near the ceasefire line", "SY"),
]


@pytest.mark.parametrize(("text", "country"), EVENT_COUNTRY)
def test_event_country_is_where_not_who(resolver: RegionResolver, text: str, country: str | None) -> None:
    assert resolver.resolve(text).locate(0, len(text)).country == country


def test_no_place_no_location(resolver: RegionResolver) -> None:
    result = resolver.resolve("Markets were calm on Tuesday.")
    assert result.regions == ()
    assert result.locate(0, 10) == Location()


# Small towns are not scanned for; a short text naming a country but no
# subdivision looks its capitalised names up among that country's towns.
SMALL_TOWNS = [
    ("Monitors in Ukraine recorded explosions near Zolote.", {"UA", "UA-09"}),
    ("Ukrainian monitors in Ukraine heard shelling near Chasiv Yar.", {"UA", "UA-14"}),
    # no country named: the same name stays unplaced
    ("Monitors recorded explosions near Zolote.", set()),
]


@pytest.mark.parametrize(("text", "expected"), SMALL_TOWNS)
def test_small_towns_need_a_country(resolver: RegionResolver, text: str, expected: set[str]) -> None:
    assert codes(resolver, text) == expected


def test_region_mentions_carry_names_and_surfaces(resolver: RegionResolver) -> None:
    regions = {r.code: r for r in resolver.resolve("Shelling hit Kharkov and then Kharkiv again.").regions}
    assert regions["UA-63"].mentions == ("Kharkov", "Kharkiv")
    assert regions["UA-63"].name == "Kharkivska oblast"
    assert regions["UA"].score == 1.0


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_resolve_never_raises_spots_stay_in_text_countries_included(
    resolver: RegionResolver, text: str
) -> None:
    result = resolver.resolve("Kyiv, " + text + " Lviv")
    full = len("Kyiv, " + text + " Lviv")
    assert all(0 <= s.start < s.end <= full for s in result.spots)
    codes = {r.code for r in result.regions}
    assert {c.split("-")[0] for c in codes} <= codes  # every subdivision brings its country


@pytest.mark.parametrize(
    ("text", "regions", "location"),
    [
        # the speaker or subject is what a placeless headline is about; it locates no event
        ("Russia says it downed 40 drones", {"RU"}, None),
        ("Moscow said the talks had failed", {"RU"}, None),
        ("Kyiv says it shot down 30 drones", {"UA"}, None),
        # a named facility places the event in its subdivision
        ("Russian missiles hit the Burshtyn thermal power plant", {"UA", "UA-26"}, "UA-26"),
        ("Drones struck the Ladyzhyn TPP overnight", {"UA", "UA-05"}, "UA-05"),
        ("Shelling near the South Ukraine nuclear plant", {"UA", "UA-48"}, "UA-48"),
        ("Explosion at the Kremenchuk hydroelectric power plant", {"UA", "UA-35"}, "UA-35"),
        ("Fighting at the Sudzha checkpoint", {"RU", "RU-KRS"}, "RU-KRS"),
    ],
)
def test_subjects_and_facilities(
    resolver: RegionResolver, text: str, regions: set[str], location: str | None
) -> None:
    result = resolver.resolve(text)
    assert {r.code for r in result.regions} == regions
    assert result.locate(0, len(text)).subdivision == location
