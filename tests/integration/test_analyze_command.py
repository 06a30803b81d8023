"""`newswatch analyze`: article JSONL in, one schema-valid analysis per good line out, bad lines reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newswatch.contracts.schemas import schema_errors

ARTICLES = [
    {
        "id": "an-1",
        "title": "Drones hit substation near Kharkiv",
        "body": "Russian drones struck an electrical substation outside Kharkiv overnight, officials said. "
        "Thousands of homes were left without power.",
    },
    {"id": "an-2", "body": "The national football team won the cup final on penalties."},
]


def test_analyze_writes_one_valid_analysis_per_article_and_reports_bad_lines(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [json.dumps(ARTICLES[0]), "{broken", "", json.dumps({"id": "x"}), json.dumps(ARTICLES[1])]
    src.write_text("\n".join(lines) + "\n")
    run = subprocess.run(
        [sys.executable, "-m", "newswatch", "analyze", str(src), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "line 2: skipped (decode_error)" in run.stderr
    assert "line 4: skipped (schema_invalid)" in run.stderr
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in results] == ["an-1", "an-2"]
    for r in results:
        assert schema_errors("analysis", r) == []
    first, second = results
    assert "power_plant_strike" in {e["type"] for e in first["events"]}
    assert {"UA", "UA-63"} <= {r["code"] for r in first["regions"]}
    assert second["primary_topic"] == "sport" and second["events"] == []


def test_analyze_reads_stdin_and_fails_when_nothing_is_valid() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "newswatch", "analyze", "-"],
        input="not json\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1 and run.stdout == ""
    assert "line 1: skipped" in run.stderr
