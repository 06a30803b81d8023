"""Pieces both chaos scenarios share: the articles, the receiver, the subscriptions, reading counts."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.kafka_articles import articles

from newswatch.alerts.ports import AlertRecord, Filters, Subscription, Webhook
from tests.chaos.report import AlertKey, Receipt
from tests.integration.test_delivery_helpers import Receiver, new_secret, receiver_factory

ARTICLE_SIZE = 600
# Several subscribers to everything (each story is one alert per subscriber: volume for delivery)
# and a narrower one whose alerts overlap theirs.
FILTERS = (Filters(), Filters(), Filters(), Filters(), Filters(), Filters(regions=("UA",)))
ANSWER_DELAY_S = 0.05  # the receiver takes a moment, so a killed delivery worker has POSTs in flight


@dataclass(frozen=True)
class Settings:
    """One run's size and faults; `small` is the form `make test` runs."""

    articles: int
    batch: int
    seed: int
    settle_s: float


def make_articles(n: int, seed: int) -> list[dict[str, Any]]:
    """Generated article.v1 documents, ids unique per run (`seed` in them)."""
    docs = [json.loads(raw) for raw in articles(n, seed, ARTICLE_SIZE)]
    for doc in docs:
        doc["id"] = f"chaos-{seed}-{doc['id']}"
    return docs


def subscriptions(receiver: Receiver, tag: str) -> list[Subscription]:
    return [
        Subscription(
            f"sub_chaos_{tag}_{n}",
            "chaos",
            f"chaos {n}",
            f,
            Webhook(receiver.url),
            receiver.secret,
            repeat_interval=0,
        )
        for n, f in enumerate(FILTERS)
    ]


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    """A real HTTP receiver on 127.0.0.1 that verifies each signature and answers 200."""
    factory = receiver_factory()
    make = next(factory)
    try:
        receiver = make(200, secret=new_secret())
        answer = receiver.handle

        def slowly(headers: dict[str, str], body: bytes) -> int:
            time.sleep(ANSWER_DELAY_S)
            return answer(headers, body)

        receiver.handle = slowly  # type: ignore[method-assign]
        yield receiver
    finally:
        next(factory, None)


def receipts(receiver: Receiver) -> list[Receipt]:
    out = []
    for got in list(receiver.got):
        data = got.verified.get("data", {}) if got.verified else None
        key = None if data is None else (data["subscription_id"], data["story_id"], int(data["revision"]))
        out.append(Receipt(got.headers.get("webhook-id", ""), key))
    return out


def alert_key(a: AlertRecord) -> AlertKey:
    return (a.subscription_id, a.story_id, a.revision)


def notice_key(doc: str | bytes) -> AlertKey | None:
    """The alert a notice says was sent (None while nothing was)."""
    d = json.loads(doc)
    if d.get("sent_at") is None or int(d.get("revision", -1)) < 0:
        return None
    return (d["subscription_id"], d["story_id"], int(d["revision"]))


def wait_until(check: Callable[[], bool], timeout_s: float, every_s: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every_s)
    return check()


def kill_points(rng: random.Random, batches: int, kills: int) -> list[int]:
    """Distinct batch numbers to kill at, spread over the run (never the very first)."""
    return sorted(rng.sample(range(1, batches), min(kills, batches - 1)))
