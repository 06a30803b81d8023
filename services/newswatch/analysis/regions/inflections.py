"""Case forms of Cyrillic place names: Харкові, Харківщині and Києві name the places Харків,
Харківщина and Київ.

Ukrainian and Russian decline place names, and news uses every case ("у Харкові", "на
Харківщині", "в Киеве"). The matcher looks names up whole, so the forms are added to the
gazetteer at start-up as further spellings of the same places, which leaves the per-article
scan as it was. The endings cover the regular patterns of place names (hard and soft stems,
-ів/-їв with its vowel change, -а/-я feminines, -ія/-ия, plurals in -и/-і); irregular forms can
be listed as aliases. A form that already names something else keeps its own meaning.
Also here: the colloquial oblast names of `cyrillic.yaml` and the oblasts' Ukrainian adjectives
with "область" (Харківській області).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, MutableMapping
from pathlib import Path

import yaml

from newswatch.analysis.regions.aliases import RULES_DIR
from newswatch.analysis.regions.places import COUNTRY, SHORT, SUBDIVISION, TOWN, Place, fold

Table = MutableMapping[str, list[Place]]

MIN_STEM = 4  # shorter stems ("Сум-") make forms that are also common words
MIN_TOWN_POPULATION = 10_000  # villages' forms would mostly collide with ordinary words
_CYRILLIC = frozenset(map(chr, range(0x400, 0x500)))
_CONSONANTS = frozenset("бвгґджзклмнпрстфхцчшщ")

# (ending of the name, ending it is replaced by in the other cases)
_FEMININE_IA = ("ія", ("ії", "ію", "ією")), ("ия", ("ии", "ию", "ией"))
_FEMININE_A = ("и", "і", "у", "ою", "ы", "е", "ой")  # Одеса/Одесса: Одеси, Одесі, Одесу, Одесою, Одессе
_MASCULINE = ("а", "у", "ом", "і", "е", "ові")  # Херсон: Херсона, Херсону, Херсоном, Херсоні; Киеве
_NEUTER_O = ("а", "у", "ом", "і", "е")  # Дніпро: Дніпра, Дніпрі
_SOFT = ("я", "ю", "ем", "і", "е", "ю")  # Тернопіль: Тернополя, Тернополі
_NEUTER_SOFT = ("я", "ю", "ем")  # Закарпатье: Закарпатья
_PLURAL = ("ах", "ам", "ях", "ям", "ів")  # Черкаси: Черкасах; Чернівці: Чернівцях, Чернівців
_ADJECTIVE = ("ої", "ій", "у", "ою")  # Харківська: Харківської, Харківській, Харківську, Харківською
_OBLAST = ("область", "області", "областю")


def case_forms(name: str) -> set[str]:
    """The other case forms of a folded one-word (or hyphenated) Cyrillic place name."""
    if " " in name or not name or name[-1] not in _CYRILLIC:
        return set()
    forms = _forms(name)
    return {f for f in forms if f != name and len(f) > MIN_STEM}


def _forms(w: str) -> Iterable[str]:
    for ending, endings in _FEMININE_IA:
        if w.endswith(ending):
            return [w[: -len(ending)] + e for e in endings]
    last, stem = w[-1], w[:-1]
    if last == "а":
        extra = [stem[:-1] + "ці"] if stem.endswith("к") else []  # Горлівка: у Горлівці
        return [stem + e for e in _FEMININE_A] + extra
    if last == "я":
        return [stem + e for e in ("і", "ю", "ям")]
    if last in "еє":
        return [stem + e for e in _NEUTER_SOFT]
    if last == "о":
        return [stem + e for e in _NEUTER_O]
    if last == "ь":
        return [s + e for s in {stem, _o_for_i(stem)} for e in _SOFT] + [stem + "ню"]
    if last in "иіы":
        return [stem + e for e in _PLURAL]
    if w.endswith(("ів", "їв")):  # Харків: Харкова; Київ: Києва (the і/ї of the last syllable changes)
        changed = w[:-2] + ("о" if w[-2] == "і" else "є") + "в"
        return [changed + e for e in _MASCULINE]
    if last in _CONSONANTS:
        return [w + e for e in _MASCULINE]
    return []


def _o_for_i(stem: str) -> str:
    """Тернопіль -> Тернопол-: the last syllable's і turns to о when the word grows."""
    i = stem.rfind("і")
    return stem[:i] + "о" + stem[i + 1 :] if i >= 0 and all(c in _CONSONANTS for c in stem[i + 1 :]) else stem


def _worth_declining(places: list[Place]) -> bool:
    return any(
        p.curated
        or p.kind in (COUNTRY, SUBDIVISION, SHORT)
        or (p.kind == TOWN and p.population >= MIN_TOWN_POPULATION)
        for p in places
    )


def add_case_forms(table: Table, rules_dir: Path = RULES_DIR) -> int:
    """Add colloquial oblast names, oblast adjectives and every case form; the number of keys added."""
    before = len(table)
    _add_names(table, _colloquial(rules_dir / "cyrillic.yaml"))
    _add_names(table, _oblast_adjectives(rules_dir / "ua_oblasts.tsv"))
    declinable = [(key, places) for key, places in table.items() if key and key[0] in _CYRILLIC]
    for key, places in declinable:
        if not _worth_declining(places):
            continue
        for form in case_forms(key):
            if form not in table:
                table[form] = list(places)
    return len(table) - before


def _add_names(table: Table, names: Iterable[tuple[str, Place]]) -> None:
    for name, place in names:
        key = fold(name)
        if key not in table:
            table[key] = [place]


def _colloquial(path: Path) -> list[tuple[str, Place]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (name, Place(SUBDIVISION, "UA", code, curated=True)) for code, names in raw.items() for name in names
    ]


def _oblast_adjectives(path: Path) -> list[tuple[str, Place]]:
    """ "Харківська область" in its cases, from the codifier's oblast names."""
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            adjective = row["name_uk"]
            if (
                not adjective.endswith("ська")
                and not adjective.endswith("цька")
                and not adjective.endswith("зька")
            ):
                continue  # Київ, Севастополь, Крим: cities and the republic, no "область"
            place = Place(SUBDIVISION, "UA", row["iso3166_2"], curated=True)
            stem = adjective[:-1]
            for form in [adjective, *(stem + e for e in _ADJECTIVE)]:
                out += [(f"{form} {noun}", place) for noun in _OBLAST]
    return out
