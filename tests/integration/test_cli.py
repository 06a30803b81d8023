"""The `newswatch` command as a user runs it: a subprocess, its exit status, stdout and stderr."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newswatch import __version__
from newswatch.cli import COMMANDS, EXIT_BROKEN_PIPE

NEWSWATCH = [sys.executable, "-m", "newswatch"]


def newswatch(*args: str, stdin: str | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NEWSWATCH, *args], input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )


def segments(stderr: str) -> list[str]:
    """What a terminal would show line by line: a progress bar redraws itself after a carriage return."""
    return [s.strip() for s in re.split(r"[\r\n]", stderr) if s.strip()]


def test_version() -> None:
    done = newswatch("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"newswatch {__version__}")


def test_help_lists_commands_and_speaks_of_no_modules() -> None:
    done = newswatch("--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s+\S", done.stdout, re.M), command
    assert "module" not in done.stdout.lower()
    assert "docs/webhooks.md" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("analyze", "/nonexistent/articles.jsonl"),
        ("analyze", "-o", "/nonexistent/dir/out.jsonl"),
        ("eval", "/nonexistent/labelled.jsonl"),
        ("publish", "/nonexistent/articles.jsonl", "--bootstrap", "127.0.0.1:1"),
    ],
    ids=["analyze-input", "analyze-output", "eval", "publish"],
)
def test_a_missing_file_is_one_line_with_status_2(args: tuple[str, ...]) -> None:
    done = newswatch(*args, stdin="")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith(f"newswatch {args[0]}: error: /nonexistent/")
    assert "No such file or directory" in lines[0]


def test_a_bad_labelled_file_is_one_line_with_status_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    done = newswatch("eval", str(bad))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"newswatch eval: error: {bad}: line 1: not a labelled record: KeyError('text')"
    ]


@pytest.mark.parametrize("args", [("run", "--help-config"), ("--help",)], ids=["help-config", "help"])
def test_a_closed_pipe_is_quiet(args: tuple[str, ...]) -> None:
    # `newswatch run --help-config | head -0`: the reader is gone before anything is written.
    proc = subprocess.Popen([*NEWSWATCH, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    with proc.stderr:
        stderr = proc.stderr.read().decode()
    status = proc.wait(timeout=60)
    assert stderr == ""
    assert status in (0, EXIT_BROKEN_PIPE)  # argparse's help swallows the error itself


ARTICLES = [
    {
        "id": "c-1",
        "title": "Bridge reopens",
        "body": "The river bridge reopened on Monday after repairs, the mayor said.",
    },
    {
        "id": "c-2",
        "body": "Вночі у Харкові та на Харківщині пролунали вибухи, повідомив голова обласної адміністрації.",
    },
]


def test_analyze_shows_progress_with_total_and_eta_and_notes_outside_the_bar(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([json.dumps(ARTICLES[0]), "{broken", json.dumps(ARTICLES[1])]) + "\n")
    done = newswatch("analyze", str(src), "--progress", "always")
    assert done.returncode == 0, done.stderr
    shown = segments(done.stderr)
    assert any(s.startswith("loading the analysis tables") for s in shown)
    bars = [s for s in shown if s.startswith("analyze:")]
    assert bars and "3/3" in bars[-1]
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d", bars[-1]), "elapsed<remaining (ETA)"
    # The skip message stands on its own line, not appended to a bar.
    assert any(s.startswith("line 2: skipped (decode_error)") for s in shown)
    assert shown[-1] == "analysed 2 articles, skipped 1 invalid lines"
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["language"], r["coverage"]) for r in results] == [("en", "full"), ("uk", "regions-only")]
    assert {"UA", "UA-63"} <= {r["code"] for r in results[1]["regions"]}


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(ARTICLES[0]) + "\n{broken\n")
    done = newswatch("analyze", str(src))
    assert done.returncode == 0
    assert not [s for s in segments(done.stderr) if s.startswith("analyze:")]
    assert "line 2: skipped (decode_error)" in done.stderr


def test_eval_shows_progress_over_its_records(tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    records = [
        {"id": f"e{i}", "text": "Russian forces shelled the village with artillery.", "labels": {}}
        for i in range(4)
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    done = newswatch("eval", str(data), "--progress", "always")
    assert done.returncode == 0, done.stderr
    bars = [s for s in segments(done.stderr) if s.startswith("eval:")]
    assert bars and "4/4" in bars[-1] and "<" in bars[-1]
