"""`newswatch publish` against real Kafka: every non-blank line goes out byte for byte, keyed by id."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from newswatch.cli import main
from newswatch.commands.publish import article_key


def read_topic(bootstrap: str, topic: str, want: int) -> list[tuple[bytes | None, bytes]]:
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, consumer_timeout_ms=5000)
    c.assign([TopicPartition(topic, 0)])
    c.seek_to_beginning()
    got = []
    for record in c:
        got.append((record.key, record.value))
        if len(got) == want:
            break
    c.close()
    return got


def test_publish_sends_each_line_as_is_and_prints_the_count(
    kafka_bootstrap: str,
    unique_topic: Callable[..., str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    topic = unique_topic("publish", partitions=1)
    lines = [b'{"id": "p1", "body": "One."}', b"not json at all", b'{"id": "p2", "body": "Two."}']
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join([lines[0], b"", lines[1], b"   ", lines[2]]) + b"\r\n")

    assert main(["publish", str(source), "--topic", topic, "--bootstrap", kafka_bootstrap]) == 0

    assert f"published 3 messages to {topic}" in capsys.readouterr().out
    assert read_topic(kafka_bootstrap, topic, 3) == [(b"p1", lines[0]), (None, lines[1]), (b"p2", lines[2])]


@pytest.mark.parametrize(
    ("line", "key"),
    [
        (b'{"id": "a-1", "body": "x"}', b"a-1"),  # the article id
        (b'{"id": 17, "body": "x"}', b"17"),  # a number id still keys (the worker rejects it later)
        (b'{"body": "x"}', None),  # no id
        (b"[1, 2]", None),  # JSON but not an object
        (b"\xff\xfe", None),  # not even text
    ],
)
def test_article_key(line: bytes, key: bytes | None) -> None:
    assert article_key(line) == key


def test_publish_reports_invalid_lines_and_skips_them_on_request(
    kafka_bootstrap: str, unique_topic: Callable[..., str], tmp_path: Path
) -> None:
    topic = unique_topic("publish-skip", partitions=1)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": "s1", "body": "One."}\n{"id": "s2"}\n{"id": "s3", "body": "Three."}\n')
    args = ["publish", str(source), "--topic", topic, "--bootstrap", kafka_bootstrap, "--skip-invalid"]
    done = subprocess.run(
        [sys.executable, "-m", "newswatch", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert f"published 2 messages to {topic}" in done.stdout
    assert "line 2: invalid article (schema_invalid)" in done.stderr
    assert "1 invalid lines skipped" in done.stderr
    assert [key for key, _ in read_topic(kafka_bootstrap, topic, 2)] == [b"s1", b"s3"]
