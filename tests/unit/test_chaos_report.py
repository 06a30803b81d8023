"""The chaos suite's arithmetic: what counts as lost, delivered, duplicated, split."""

from __future__ import annotations

import pytest

from tests.chaos.report import AlertKey, Receipt, summarize

A: AlertKey = ("s", "story-a", 0)
B: AlertKey = ("s", "story-a", 1)
C: AlertKey = ("s", "story-c", 0)


@pytest.mark.parametrize(
    ("noticed", "stored", "receipts", "expect"),
    [
        # everything planned was stored and delivered once
        ([A, B], [A, B], [Receipt("w1", A), Receipt("w2", B)], dict(planned=2, delivered=2, duplicated=0)),
        # a notice without its alert: the planner believed it sent what never existed
        ([A, B], [A], [Receipt("w1", A)], dict(planned=2, alerts_lost=1)),
        # a redelivery under the same webhook-id is a duplicate a receiver can drop
        ([A], [A], [Receipt("w1", A), Receipt("w1", A)], dict(duplicated=1, split=0, delivered=1)),
        # the same alert under two webhook-ids: a duplicate nobody can recognise
        ([A], [A], [Receipt("w1", A), Receipt("w9", A)], dict(duplicated=0, split=1)),
        # stored but never received
        ([], [A, C], [Receipt("w1", A)], dict(planned=2, undelivered=1)),
        # a receipt whose signature did not verify
        ([], [], [Receipt("w1", None)], dict(unverified=1, delivered=0)),
    ],
)
def test_alert_counts(
    noticed: list[AlertKey], stored: list[AlertKey], receipts: list[Receipt], expect: dict[str, int]
) -> None:
    report = summarize("t", [], [], noticed, stored, receipts)
    for name, value in expect.items():
        assert getattr(report, name) == value, name
    failing = ("alerts_lost", "undelivered", "split", "unverified")
    assert report.ok() is not any(expect.get(k) for k in failing)


def test_article_counts_and_lines() -> None:
    report = summarize("t", ["a", "b", "c"], ["a", "b", "x"], [], [], [], {"worker SIGKILL": 5})
    assert (report.accepted, report.analysed, report.articles_lost) == (3, 2, 1)
    assert not report.ok()
    text = "\n".join(report.lines())
    assert "FAILED" in text and "worker SIGKILL 5" in text and "accepted 3, analysed 2, lost 1" in text
