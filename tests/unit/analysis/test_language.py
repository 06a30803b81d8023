"""The language of an article and the coverage it gets (table of cases, each in our own words)."""

from __future__ import annotations

import pytest

from newswatch.analysis.engine import Analyzer
from newswatch.analysis.language import Coverage, _looks_english, coverage, detect_language
from newswatch.domain.model import Article


@pytest.mark.parametrize(
    ("text", "declared", "code"),
    [
        # English told from its function words, without the detector
        ("The council said on Tuesday that the bridge would reopen after repairs.", None, "en"),
        # curly quotes and dashes are no reason to doubt English
        ("“The line held,” the commander said — and it was the first quiet night in weeks.", None, "en"),
        ("Вночі у Харкові пролунали вибухи, повідомив міський голова.", None, "uk"),
        ("Ночью в Харькове прогремели взрывы, сообщил мэр города.", None, "ru"),
        (
            "Der Stadtrat hat am Dienstag beschlossen, die Brücke nach den Reparaturen wieder zu öffnen.",
            None,
            "de",
        ),
        (
            "Le conseil municipal a décidé mardi de rouvrir le pont après les travaux de réparation.",
            None,
            "fr",
        ),
        (
            "El ayuntamiento decidió el martes reabrir el puente después de las obras de reparación.",
            None,
            "es",
        ),
        ("Вибухи в Харкові", None, "uk"),  # a short headline in a non-Latin script still tells
        ("Oblast 7", None, "und"),  # nothing to go on
        ("Oblast 7", "pl-PL", "pl"),  # then the article's own declaration, primary subtag
    ],
)
def test_detect_language(text: str, declared: str | None, code: str) -> None:
    assert detect_language(text, declared) == code


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", Coverage.FULL),
        ("und", Coverage.FULL),
        ("uk", Coverage.REGIONS_ONLY),
        ("de", Coverage.REGIONS_ONLY),
    ],
)
def test_coverage(code: str, expected: Coverage) -> None:
    assert coverage(code) is expected


def test_an_uncovered_language_is_analysed_for_regions_only(analyzer: Analyzer) -> None:
    text = (
        "Російські ракети влучили в енергетичний об'єкт у Харкові, повідомив голова обласної адміністрації."
    )
    result = analyzer.analyze(Article("uk-1", text))
    assert (result.language, result.coverage) == ("uk", "regions-only")
    assert result.topics == () and result.events == ()
    assert {"UA", "UA-63"} <= result.region_codes
    d = result.to_dict()
    assert (d["language"], d["coverage"]) == ("uk", "regions-only")


def test_english_keeps_its_full_analysis(analyzer: Analyzer) -> None:
    text = "A missile hit a thermal power plant near Kharkiv on Tuesday, the regional governor said."
    result = analyzer.analyze(Article("en-1", text))
    assert (result.language, result.coverage) == ("en", "full")
    assert result.topics and result.events


@pytest.mark.parametrize(
    "text",
    [
        # languages that share a few short words with English ("was", "is", "on", "an", "will")
        "Was die Regierung an diesem Tag will, ist noch unklar, sagte der Sprecher in Berlin am Abend.",
        "Het was een rustige nacht in de stad en de burgemeester is tevreden over de inzet van de politie.",
        "On dit que le pont sera rouvert mardi, mais la mairie ne confirme pas encore la date exacte.",
        "He visto que el puente se abrirá el martes, dijo el alcalde a los periodistas de la ciudad.",
    ],
    ids=["de", "nl", "fr", "es"],
)
def test_the_english_shortcut_leaves_other_languages_to_the_detector(text: str) -> None:
    assert not _looks_english(text)
