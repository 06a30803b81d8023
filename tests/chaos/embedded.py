"""Chaos on the embedded service: `newswatch run` SIGKILLed at random points while articles are
posted, the queue pruned in between (while it runs and while it is down), then every accepted
article must be analysed and every planned alert stored and delivered."""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from newswatch.compose import PIPELINE_GROUP
from newswatch.store.alerts_sqlite import SQLiteAlerts, SQLiteSubscriptions
from newswatch.store.sqlite import SQLiteDB
from newswatch.transport.embedded import EmbeddedLog
from tests.chaos.common import (
    alert_key,
    kill_points,
    make_articles,
    notice_key,
    receipts,
    subscriptions,
    wait_until,
    webhook_receiver,
)
from tests.chaos.report import AlertKey, Report, summarize
from tests.integration.embedded_process import EmbeddedProcess

ENV = {
    "NEWSWATCH_DELIVERY_SCHEDULE": "0,1,2,4,8,15",
    "NEWSWATCH_DELIVERY_JITTER": "0",
    "NEWSWATCH_DELIVERY_TIMEOUT": "2",  # a claim's lease (timeout * 4 + 30) bounds the wait after a kill
    "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
}
TOPIC = "articles"


class Embedded:
    def __init__(self, workdir: Path, seed: int) -> None:
        self.dir = workdir / f"embedded-{seed}"
        self.db = self.dir / "newswatch.sqlite3"
        self.proc: EmbeddedProcess | None = None
        self.faults = {"newswatch run SIGKILL": 0, "prunes while running": 0, "prunes while down": 0}
        self.pruned = 0

    def start(self) -> None:
        self.proc = EmbeddedProcess(self.dir, ENV, start_timeout_s=300).start()

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.faults["newswatch run SIGKILL"] += 1

    def prune(self, running: bool) -> None:
        log = EmbeddedLog(self.db)
        self.pruned += log.prune(TOPIC)
        log.connection().close()
        self.faults["prunes while running" if running else "prunes while down"] += 1

    def post(self, batch: list[dict[str, object]]) -> bool:
        """True when the service answered 202 (the batch is accepted)."""
        assert self.proc is not None
        try:
            r = httpx.post(f"{self.proc.url}/v1/articles", json=batch, timeout=30.0)
        except httpx.HTTPError:
            return False
        return r.status_code == 202

    def analysed(self) -> set[str]:
        return set(_column(self.db, "SELECT article_id FROM analyses"))

    def stored(self) -> dict[AlertKey, str]:
        db = SQLiteDB(self.db)
        try:
            alerts, out, cursor = SQLiteAlerts(db), {}, None
            while True:
                page = alerts.list_alerts(tenant=None, cursor=cursor, limit=500)
                out.update({alert_key(a): a.status for a in page.items})
                if page.cursor is None:
                    return out
                cursor = page.cursor
        finally:
            db.close()

    def noticed(self) -> list[AlertKey]:
        keys = (notice_key(doc) for doc in _column(self.db, "SELECT doc FROM story_notices"))
        return [k for k in keys if k is not None]


def _column(db: Path, query: str) -> list[str]:
    with sqlite3.connect(db, timeout=30) as conn:
        try:
            return [r[0] for r in conn.execute(query)]
        except sqlite3.OperationalError:  # table not created yet
            return []


def size(small: bool) -> dict[str, Any]:
    if small:
        return dict(n_articles=200, kills=2, settle_s=120)
    return dict(n_articles=2000, kills=6, settle_s=240)


def run(
    workdir: Path, n_articles: int, kills: int, seed: int, batch: int = 50, settle_s: float = 120
) -> Report:
    rng = random.Random(seed)
    docs = make_articles(n_articles, seed)
    batches = [docs[i : i + batch] for i in range(0, len(docs), batch)]
    at = set(kill_points(rng, len(batches), kills))
    svc = Embedded(workdir, seed)
    accepted: set[str] = set()
    started = time.monotonic()
    with webhook_receiver() as receiver:
        svc.dir.mkdir(parents=True, exist_ok=True)
        db = SQLiteDB(svc.db)
        for sub in subscriptions(receiver, f"e{seed}"):
            SQLiteSubscriptions(db).create(sub)
        db.close()
        svc.start()
        for n, b in enumerate(batches):
            if n in at:
                acknowledged = _post_while_killed(svc, b, rng, accepted)
                svc.prune(running=False)
                svc.start()
                if not acknowledged and svc.post(b):  # the client retries what got no answer
                    accepted.update(str(d["id"]) for d in b)
            elif svc.post(b):
                accepted.update(str(d["id"]) for d in b)
            if n % 5 == 2:  # the service prunes every minute, often once it has caught up: so here
                wait_until(lambda: svc.analysed() >= accepted, 60)
                svc.prune(running=True)
        ids = {str(d["id"]) for d in docs}
        wait_until(lambda: svc.analysed() >= accepted, settle_s)
        svc.prune(running=True)
        wait_until(lambda: _settled(svc), settle_s)
        report = summarize(
            f"embedded: {n_articles} articles posted, {kills} SIGKILLs of newswatch run",
            accepted,
            svc.analysed(),
            svc.noticed(),
            svc.stored(),
            receipts(receiver),
            svc.faults,
        )
        assert svc.proc is not None and svc.proc.stop() == 0
    log = EmbeddedLog(svc.db)
    report.notes.append(
        f"posted {len(ids)} ids, {len(ids - accepted)} never acknowledged; "
        f"queue: {svc.pruned} messages pruned, group committed at {log.committed(PIPELINE_GROUP, TOPIC)} "
        f"of {log.end_offset(TOPIC)}; {time.monotonic() - started:.0f} s"
    )
    return report


def _post_while_killed(
    svc: Embedded, batch: list[dict[str, object]], rng: random.Random, accepted: set[str]
) -> bool:
    """POST a batch and SIGKILL the service a random moment later: before, during or after the 202."""
    answer: list[bool] = []
    poster = threading.Thread(target=lambda: answer.append(svc.post(batch)))
    poster.start()
    time.sleep(rng.uniform(0.0, 0.3))
    svc.kill()
    poster.join(60)
    if answer and answer[0]:
        accepted.update(str(d["id"]) for d in batch)
        return True
    return False


def _settled(svc: Embedded) -> bool:
    """Every stored alert reached a final state."""
    return all(s in ("delivered", "exhausted", "disabled") for s in svc.stored().values())
