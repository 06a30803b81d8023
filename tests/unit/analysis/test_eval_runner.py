"""The evaluation runner and report on hand-made records and analyses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch.analysis.engine import Analyzer
from newswatch.analysis.eval.records import read_records
from newswatch.analysis.eval.report import render
from newswatch.analysis.eval.runner import Miss, evaluate, worst_misses
from newswatch.domain.model import (
    Analysis,
    Event,
    EventType,
    Evidence,
    RegionMention,
    Topic,
    TopicScore,
)


def _line(rid: str, kind: str, events: list[str], topics: list[str], labeled: bool = True) -> str:
    labels = {
        "events": events,
        "events_labeled": labeled,
        "country": "UA" if labeled else None,
        "admin1": None,
        "admin1_iso": "UA-63" if labeled else None,
        "topics": topics,
        "topics_complete": True,
    }
    return json.dumps(
        {"id": rid, "kind": kind, "date": "2024-01-02", "title": "T", "text": "Body text.", "labels": labels}
    )


def _analysis(rid: str, events: list[EventType], topic: Topic, regions: list[str]) -> Analysis:
    ev = tuple(Event(t, 0.9, f"{t.value}.x", Evidence("Body text.", 2, 12)) for t in events)
    return Analysis(rid, (TopicScore(topic, 1.0),), tuple(RegionMention(c, c) for c in regions), ev)


def test_read_records_builds_article() -> None:
    (rec,) = read_records([_line("a1", "acled_note", ["strike"], ["conflict"]), ""])
    assert rec.article.body == "Body text."
    assert rec.article.title == "T"
    assert rec.article.published_at == "2024-01-02T00:00:00Z"
    assert rec.events == {"strike"}


def test_read_records_names_bad_line() -> None:
    with pytest.raises(ValueError, match="line 2"):
        list(read_records([_line("a1", "acled_note", [], []), "{}"]))


def test_evaluate_counts_events_regions_topics() -> None:
    recs = list(
        read_records(
            [
                _line("a", "acled_note", ["strike"], ["conflict"]),
                _line("b", "acled_note", ["casualties"], ["conflict"]),
                _line("c", "topic_only", [], ["sport"], labeled=False),
            ]
        )
    )
    analyses = [
        _analysis("a", [EventType.STRIKE], Topic.CONFLICT, ["UA", "UA-63"]),
        _analysis("b", [EventType.BLACKOUT], Topic.CONFLICT, ["RU"]),
        _analysis("c", [EventType.STRIKE], Topic.SPORT, []),
    ]
    res = evaluate(list(zip(recs, analyses, strict=True)))
    assert res.event_records == 2  # the topic-only record is not event-scored
    assert (res.events["strike"].tp, res.events["blackout"].fp, res.events["casualties"].fn) == (1, 1, 1)
    assert res.regions.country_hits == 1 and res.regions.spurious == 1
    assert res.topic_records == 1 and res.topic_macro_f1 == 1.0
    assert {(m.kind, m.event_type) for m in res.misses} == {("FN", "casualties"), ("FP", "blackout")}
    assert "conflict macro-F1" in render(res) and "| label |" in render(res, markdown=True)


def test_worst_misses_round_robin_over_types() -> None:
    misses = [Miss("FP", "strike", f"r{i}", i / 10, "s") for i in range(5)] + [
        Miss("FN", "retreat", "x", 1.0, "s")
    ]
    picked = worst_misses(misses, 3)
    assert [m.event_type for m in picked] == ["strike", "retreat", "strike"]
    assert picked[0].confidence == 0.4  # most confident FP first


def test_eval_command_writes_markdown(
    tmp_path: Path, analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newswatch.cli import main

    # The session's tables, not a second load of them (tests/integration/test_cli.py runs the real one).
    monkeypatch.setattr(Analyzer, "load", classmethod(lambda cls: analyzer))
    data = tmp_path / "labelled.jsonl"
    line = json.loads(_line("x1", "acled_note", ["strike"], ["conflict"]))
    line["text"] = "On 2 May 2024, Russian forces shelled the village with artillery, damaging houses."
    data.write_text(json.dumps(line) + "\n", encoding="utf-8")
    out = tmp_path / "report.md"
    assert main(["eval", str(data), "--markdown", str(out), "--worst", "3"]) == 0
    report = out.read_text(encoding="utf-8")
    assert "| strike | 1.000 | 1.000 | 1.000 | 1 | 0 | 0 |" in report


def test_eval_command_rejects_bad_file(tmp_path: Path) -> None:
    from newswatch.cli import main

    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "x"}\n', encoding="utf-8")
    assert main(["eval", str(data)]) == 2


def test_split_is_frozen_by_hash_of_the_id() -> None:
    import hashlib

    from newswatch.analysis.eval.split import in_part, is_test

    ids = [f"rec:{i}" for i in range(400)]
    expected = [int(hashlib.sha256(i.encode()).hexdigest()[:8], 16) % 100 < 35 for i in ids]
    assert [is_test(i) for i in ids] == expected
    assert 0.25 < sum(expected) / len(ids) < 0.45
    assert all(in_part(i, "test") != in_part(i, "train") and in_part(i, "all") for i in ids)


@pytest.mark.parametrize(
    ("kind", "rid", "text_type", "view"),
    [
        ("acled_note", "acled:UKR1", None, "notes"),
        ("article", "rss:ab12", "rss_headline_and_summary", "headlines+summaries"),
        ("headline_summary", "rss24:ab12", None, "headlines+summaries"),
        ("article", "art:17", None, "full articles"),
        ("full_article", "x:1", None, "full articles"),
    ],
)
def test_text_views(kind: str, rid: str, text_type: str | None, view: str) -> None:
    from newswatch.analysis.eval.split import text_view

    assert text_view(kind, rid, text_type) == view


def test_views_count_reported_events_apart_from_background() -> None:
    from newswatch.analysis.eval.runner import ALL_EVENTS, REPORTED, TOTAL
    from newswatch.domain.model import Location

    line = json.loads(_line("n1", "headline_summary", [], ["conflict"]))
    line["hard_negative"] = True
    (rec,) = read_records([json.dumps(line)])
    bg = Event(
        EventType.POWER_PLANT_STRIKE,
        0.3,
        "power_plant_strike.x",
        Evidence("Body text.", 0, 10),
        Location("RU"),
        {"background": True},
    )
    res = evaluate([(rec, Analysis("n1", (), (RegionMention("UA-63", "Kharkiv"),), (bg,)))])
    reported = res.views[REPORTED]["headlines+summaries"]
    everything = res.views[ALL_EVENTS][TOTAL]
    assert reported.key["power_plant_strike"].fp == 0 and reported.hard_negative_fires.hits == 0
    assert everything.key["power_plant_strike"].fp == 1 and everything.hard_negative_fires.hits == 1
    assert everything.location_country.value == 0.0 and reported.location_country.n == 0
    assert reported.subdivision_in_regions.value == 1.0
    assert "By kind of text, reported only" in render(res)
