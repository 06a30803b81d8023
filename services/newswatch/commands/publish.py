"""`newswatch publish FILE|-`: produce article JSONL to Kafka, one message per non-blank line.

Lines go out byte for byte, invalid ones too: the worker dead-letters them with the reason, which
is the path to test. Keyed by the article id when the line is JSON with an `id`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterable
from contextlib import ExitStack
from typing import IO

from newswatch.config import Settings
from newswatch.transport.base import Producer
from newswatch.transport.kafka import KafkaQueueProducer


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("publish", help="produce article JSONL to the Kafka articles topic")
    p.add_argument("file", help="article JSONL file, or - for stdin")
    p.add_argument("--topic", help="topic (default NEWSWATCH_ARTICLES_TOPIC or articles)")
    p.add_argument("--bootstrap", help="Kafka bootstrap servers (default NEWSWATCH_KAFKA_BOOTSTRAP)")
    p.set_defaults(func=run)


def article_key(line: bytes) -> bytes | None:
    """The article id as the message key (same article, same partition); None if there is none."""
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    key = obj.get("id") if isinstance(obj, dict) else None
    return str(key).encode() if isinstance(key, str | int) else None


def publish(lines: Iterable[bytes], producer: Producer, topic: str) -> int:
    """Produce every non-blank line (without its line ending); flush; return how many."""
    count = 0
    for raw in lines:
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        producer.produce(topic, line, article_key(line))
        count += 1
    producer.flush()
    return count


def run(args: argparse.Namespace) -> int:
    logging.getLogger("kafka").setLevel(logging.WARNING)  # its INFO is one line per connection
    settings = Settings.from_env(os.environ).with_overrides(
        kafka_bootstrap=args.bootstrap, articles_topic=args.topic
    )
    producer = KafkaQueueProducer(settings.kafka_bootstrap, client_id="newswatch-publish")
    try:
        with ExitStack() as stack:
            src: IO[bytes] = (
                sys.stdin.buffer if args.file == "-" else stack.enter_context(open(args.file, "rb"))
            )
            count = publish(src, producer, settings.articles_topic)
    finally:
        producer.close()
    print(f"published {count} messages to {settings.articles_topic} at {settings.kafka_bootstrap}")
    return 0
