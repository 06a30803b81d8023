"""Table-driven tests of the pure evaluation metrics."""

from __future__ import annotations

import pytest

from newswatch.analysis.eval.metrics import PRF, label_scores, macro_f1, region_score, single_label_scores

F = frozenset


@pytest.mark.parametrize(
    ("prf", "p", "r", "f1"),
    [
        (PRF(1, 1, 0), 0.5, 1.0, 2 / 3),  # one right, one spurious
        (PRF(0, 0, 3), 0.0, 0.0, 0.0),  # nothing predicted: no credit
        (PRF(4, 0, 0), 1.0, 1.0, 1.0),  # perfect
        (PRF(3, 1, 1), 0.75, 0.75, 0.75),  # symmetric errors
    ],
)
def test_prf(prf: PRF, p: float, r: float, f1: float) -> None:
    assert (prf.precision, prf.recall, prf.f1) == pytest.approx((p, r, f1))


@pytest.mark.parametrize(
    ("pairs", "label", "expected"),
    [
        ([(F({"a"}), F({"a"}))], "a", PRF(1, 0, 0)),  # hit
        ([(F({"a"}), F())], "a", PRF(0, 0, 1)),  # miss
        ([(F(), F({"a"}))], "a", PRF(0, 1, 0)),  # spurious
        ([(F({"a", "b"}), F({"b"}))], "b", PRF(1, 0, 0)),  # multi-label: others ignored
        ([(F({"b"}), F({"b"}))], "a", PRF(0, 0, 0)),  # unrelated label untouched
    ],
)
def test_label_scores(pairs: list, label: str, expected: PRF) -> None:
    assert label_scores(pairs, ["a", "b"])[label] == expected


def test_macro_f1_skips_labels_never_seen() -> None:
    # the undefined label (0,0,0) must not drag the mean down
    assert macro_f1([PRF(1, 0, 0), PRF(0, 0, 0), PRF(0, 1, 1)]) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(F({"sport"}), "sport")], {"sport": PRF(1, 0, 0)}),  # right
        ([(F({"sport"}), "economy")], {"sport": PRF(0, 0, 1)}),  # wrong: FN for gold class only
        ([(F({"sport", "economy"}), "economy")], {"economy": PRF(1, 0, 0), "sport": PRF(0, 0, 1)}),
        ([(F({"sport"}), None), (F({"economy"}), "sport")], {"economy": PRF(0, 0, 1), "sport": PRF(0, 1, 1)}),
    ],
)
def test_single_label_scores(pairs: list, expected: dict) -> None:
    assert single_label_scores(pairs) == expected


@pytest.mark.parametrize(
    ("rows", "country", "admin1", "spurious"),
    [
        ([("UA", "UA-63", F({"UA", "UA-63"}))], 1.0, 1.0, 0.0),  # all right
        ([("UA", "UA-63", F({"UA-63"}))], 1.0, 1.0, 0.0),  # country implied by subdivision
        ([("UA", "UA-63", F({"UA", "GB"}))], 1.0, 0.0, 1.0),  # GB is spurious, subdivision missed
        ([("UA", None, F()), ("UA", "UA-12", F({"UA-12"}))], 0.5, 1.0, 0.0),  # admin1 only when labelled
    ],
)
def test_region_score(rows: list, country: float, admin1: float, spurious: float) -> None:
    s = region_score(rows)
    assert (s.country_accuracy, s.admin1_accuracy, s.spurious_rate) == (country, admin1, spurious)
