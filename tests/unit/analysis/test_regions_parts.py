"""The region resolver's parts: alias rule validation, folding, context predicates."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from newswatch.analysis.regions import context as ctx
from newswatch.analysis.regions.aliases import RULES_DIR, load_aliases
from newswatch.analysis.regions.places import fold, name_keys


def test_shipped_aliases_are_valid() -> None:
    rules = load_aliases()
    assert "city" in rules.place_nouns and "forces" in rules.actor_nouns


# (broken alias file, why it must be refused)
BROKEN = [
    ("countries: {Ukraine: [Ukraine]}", "country key is not alpha-2"),
    ("subdivisions: {UA-63: {full: [Kharkiv Oblast]}}", "subdivision without short names"),
    ("towns: [{names: [Kyiv], country: UA}]", "town without population"),
]


@pytest.mark.parametrize(("patch", "why"), BROKEN)
def test_invalid_aliases_are_refused(tmp_path: Path, patch: str, why: str) -> None:
    import yaml

    raw = yaml.safe_load((RULES_DIR / "aliases.yaml").read_text(encoding="utf-8"))
    raw.update(yaml.safe_load(patch))
    path = tmp_path / "aliases.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(jsonschema.ValidationError):
        load_aliases(path)


@pytest.mark.parametrize("text", ["Kharkiv’s", "İstanbul and Kraków", "ХАРКІВ", "L'viv"])
def test_fold_keeps_offsets(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_name_keys_cover_diacritics() -> None:
    assert name_keys("Kraków") == {"kraków", "krakow"}


# (text, index of the mention's first letter, expected)
LOCATIVE = [
    ("Missiles hit targets across Ukraine", True),
    ("Strikes continued in the Ukraine", True),
    ("Talks with Ukraine", False),
    ("Troops reached the border with Russia", True),
    ("Russia", False),
]


@pytest.mark.parametrize(("text", "expected"), LOCATIVE)
def test_is_locative(text: str, expected: bool) -> None:
    start = text.rindex(" ") + 1 if " " in text else 0
    assert ctx.is_locative(text, start) is expected


# (text, mention, expected)
RIVERS = [
    ("They crossed the Dnipro at night", "Dnipro", True),
    ("They crossed the Dnipro.", "Dnipro", True),
    ("Rubble of the Mariupol theatre", "Mariupol", False),
    ("Shelling of Dnipro city", "Dnipro", False),
]


@pytest.mark.parametrize(("text", "mention", "expected"), RIVERS)
def test_river_like(text: str, mention: str, expected: bool) -> None:
    start = text.index(mention)
    assert ctx.river_like(text, start, start + len(mention)) is expected


def test_village_before_an_oblast() -> None:
    text = "Shells hit Nova Hrebla village, Kyiv oblast"
    assert ctx.village_before(text, text.index("Kyiv")) == ("Nova Hrebla", text.index("Nova"))


def test_person_like_outside_headlines() -> None:
    text = "On Monday the long talks with Vladimir Putin ended without any deal."
    start = text.index("Vladimir")
    assert ctx.person_like(text, start, start + len("Vladimir"))
    headline = "Vladimir Putin Visits Troops Near Border"
    assert not ctx.person_like(headline, 0, 8)


@pytest.mark.parametrize(
    ("text", "village"),
    [
        ("Russian forces shelled Mala Dolyna, Luhansk, overnight.", "Mala Dolyna"),
        ("Meanwhile, Kyiv said the talks would resume.", None),  # a sentence opener
        ("Talks stalled. On Monday, Kharkiv came under fire.", None),
        ("Headline here\nAdditionally, Odesa was hit.", None),
    ],
)
def test_a_sentence_opener_is_no_village(text: str, village: str | None) -> None:
    start = text.index(",") + 2
    found = ctx.village_before(text, start)
    assert (found[0] if found else None) == village
