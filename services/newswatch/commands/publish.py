"""`newswatch publish FILE|-`: produce article JSONL to Kafka, one message per non-blank line.

Each line is checked against schemas/article.v1 first, and the invalid ones are reported with
their line number and reason. They are still sent, byte for byte, unless `--skip-invalid`: the
worker dead-letters them with the reason, which is a path worth testing. Keyed by the article id
when the line is JSON with an `id`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import IO

from newswatch.commands.progress import Progress, add_progress_option, count_lines
from newswatch.config import Settings
from newswatch.contracts.articles import decode_article
from newswatch.domain.errors import InvalidMessage
from newswatch.transport.base import Producer


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "publish",
        help="put article JSONL on the Kafka articles topic",
        description="Produce each non-blank line of article JSONL to Kafka. Invalid lines are reported "
        "(line number and reason) and sent anyway for the worker to dead-letter, unless --skip-invalid.",
    )
    p.add_argument("file", help="article JSONL file, or - for stdin")
    p.add_argument("--topic", help="topic (default NEWSWATCH_ARTICLES_TOPIC or articles)")
    p.add_argument("--bootstrap", help="Kafka bootstrap servers (default NEWSWATCH_KAFKA_BOOTSTRAP)")
    p.add_argument("--skip-invalid", action="store_true", help="send only the lines that are valid articles")
    add_progress_option(p)
    p.set_defaults(func=run)


@dataclass
class Published:
    sent: int = 0
    invalid: int = 0  # lines that are no valid article (sent unless skipped)
    skipped: int = 0


def article_key(line: bytes) -> bytes | None:
    """The article id as the message key (same article, same partition); None if there is none."""
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    key = obj.get("id") if isinstance(obj, dict) else None
    return str(key).encode() if isinstance(key, str | int) else None


def publish(
    lines: Iterable[bytes],
    producer: Producer,
    topic: str,
    note: Callable[[str], None] = lambda text: None,
    skip_invalid: bool = False,
) -> Published:
    """Check and produce every non-blank line (without its line ending); flush; return the counts."""
    done = Published()
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        try:
            decode_article(line)
        except InvalidMessage as exc:
            done.invalid += 1
            action = "skipped" if skip_invalid else "sent anyway, the worker will dead-letter it"
            note(f"line {lineno}: invalid article ({exc.reason}): {exc.detail}; {action}")
            if skip_invalid:
                done.skipped += 1
                continue
        producer.produce(topic, line, article_key(line))
        done.sent += 1
    producer.flush()
    return done


def run(args: argparse.Namespace) -> int:
    from newswatch.transport.kafka import KafkaQueueProducer  # late: `--help` stays fast

    logging.getLogger("kafka").setLevel(logging.WARNING)  # its INFO is one line per connection
    settings = Settings.from_env(os.environ).with_overrides(
        kafka_bootstrap=args.bootstrap, articles_topic=args.topic
    )
    with ExitStack() as stack:
        src: IO[bytes] = sys.stdin.buffer if args.file == "-" else stack.enter_context(open(args.file, "rb"))
        total = count_lines(args.file)
        producer = KafkaQueueProducer(settings.kafka_bootstrap, client_id="newswatch-publish")
        stack.callback(producer.close)
        progress = stack.enter_context(Progress(args.progress, "publish", "lines", total))
        done = publish(
            progress.iterate(src), producer, settings.articles_topic, progress.note, args.skip_invalid
        )
    print(f"published {done.sent} messages to {settings.articles_topic} at {settings.kafka_bootstrap}")
    if done.invalid:
        what = "skipped" if args.skip_invalid else "sent for the worker to dead-letter"
        print(f"{done.invalid} invalid lines {what} (reported above)", file=sys.stderr)
    return 1 if done.invalid and not done.sent else 0
