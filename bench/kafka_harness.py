"""Shared parts of the Kafka benchmarks: fresh topics, worker processes, hand-off stamps, CPU time.

Each worker runs in a process of its own (spawned; `--processes`, 2 by default on this 2-core
machine), all in one consumer group on a 4-partition topic. A worker is the real one
(runtime/worker.py on the real Kafka consumer and producer) or, in `null` mode, a plain
kafka-python loop. Its consumer is wrapped to stamp every article of a batch when the batch's
commit returns: by then everything the article produced is durable (analysis produced, alerts
stored and enqueued), so a stamp is "handed off".

The workers join the group with their partitions paused, and all start together once the group
has settled, so neither the group join nor the rebalance of a second member is timed. Each
reports its CPU time (user + system, all threads) and peak RSS; the parent adds the CPU time of
the Kafka broker and Redis (from the pid files of deploy/local/servers.sh) over the same span.

Modes (`--mode`):
  full      what `newswatch worker` runs (compose + commands.worker.build): analysis, the alert
            planner on Redis with BENCH_SUBSCRIPTIONS, alerts stored and enqueued to Celery,
            analyses to the `analyses` topic and to Redis (TTL)
  analysis  Analyzer.load() without alert planning
  empty     an analyzer returning nothing: the cost of Kafka, decoding, validation and the loop
  null      no newswatch code: kafka-python consume, json.loads, produce a small result, flush and
            commit per poll (the floor any worker doing the same I/O pays)

NEWSWATCH_BENCH_PROFILE=<dir> runs each worker's timed loop under cProfile and writes
`<dir>/<mode>-<index>.prof` (read with `python -m pstats`); the CPU figures then include its cost.
"""

from __future__ import annotations

import cProfile
import multiprocessing
import os
import resource
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newswatch.runtime.worker_records import WorkerTopics
from newswatch.transport.kafka import KafkaQueueProducer

with warnings.catch_warnings():  # kafka-python 3.0 import-time DeprecationWarning (see tests/conftest.py)
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka.admin import KafkaAdminClient, NewTopic

MODES = ("empty", "null", "analysis", "full")
PARTITIONS = 4
# (id, regions, event types): a few standing queries so matching and alerting do real work.
BENCH_SUBSCRIPTIONS = (
    ("sub_ua", ("UA",), ()),
    ("sub_pl_strikes", ("PL",), ("strike", "protest")),
    ("sub_blackouts", (), ("blackout", "power_plant_strike")),
    ("sub_fr", ("FR",), ()),
    ("sub_cyber", (), ("cyberattack",)),
    ("sub_jp", ("JP",), ()),
)
ROOT = Path(__file__).resolve().parents[1]


def bootstrap() -> str:
    port = os.environ.get("NEWSWATCH_KAFKA_PORT", "9092")
    return os.environ.get("NEWSWATCH_KAFKA_BOOTSTRAP") or f"127.0.0.1:{port}"


def redis_url() -> str:
    port = os.environ.get("NEWSWATCH_REDIS_PORT", "6379")
    return os.environ.get("NEWSWATCH_REDIS_URL") or f"redis://127.0.0.1:{port}/0"


def fresh_topics(server: str, name: str, partitions: int = PARTITIONS) -> WorkerTopics:
    """New topics named bench.<name>.<random>.{articles,dlq,analyses}."""
    base = f"bench.{name}.{uuid.uuid4().hex[:8]}"
    topics = WorkerTopics(f"{base}.articles", f"{base}.dlq", f"{base}.analyses")
    admin = KafkaAdminClient(bootstrap_servers=server)
    admin.create_topics([NewTopic(t, partitions, 1) for t in (topics.articles, str(topics.analyses))])
    admin.close()
    return topics


def delete_topics(server: str, topics: WorkerTopics) -> None:
    """Delete those of the run's topics that exist (dlq is only created when used)."""
    admin = KafkaAdminClient(bootstrap_servers=server)
    try:
        existing = set(admin.list_topics())
        names = (topics.articles, topics.dlq, topics.analyses)
        mine = [t for t in names if t in existing]
        if mine:
            admin.delete_topics(mine)
    finally:
        admin.close()


def publish(server: str, topic: str, messages: list[bytes]) -> float:
    """Produce (keyed by article id) and flush everything; return messages/s."""
    import orjson

    producer = KafkaQueueProducer(server, client_id="bench-publish", linger_ms=20, batch_size=262_144)
    start = time.perf_counter()
    for m in messages:
        producer.produce(topic, m, str(orjson.loads(m)["id"]).encode())
    producer.flush()
    elapsed = time.perf_counter() - start
    producer.close()
    return len(messages) / elapsed


def server_cpu_s() -> float | None:
    """CPU seconds used so far by the local Kafka broker and Redis (None when their pids are unknown)."""
    pids = [
        ROOT / ".local" / "kafka" / f"kafka-{os.environ.get('NEWSWATCH_KAFKA_PORT', '9092')}.pid",
        ROOT / ".local" / "redis" / f"redis-{os.environ.get('NEWSWATCH_REDIS_PORT', '6379')}.pid",
    ]
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pidfile in pids:
        try:
            stat = Path(f"/proc/{pidfile.read_text().strip()}/stat").read_text()
        except (OSError, ValueError):
            return None
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


@dataclass
class Result:
    """What the workers of one run did."""

    stamps: list[tuple[str, int]] = field(default_factory=list)  # (article id, time.time_ns())
    cpu_s: float = 0.0  # the workers' CPU time from the start signal to the stop
    rss_mb: list[float] = field(default_factory=list)  # peak RSS per worker process
    server_cpu_s: float | None = None  # Kafka broker + Redis over the same span
    what: str = ""

    @property
    def count(self) -> int:
        return len(self.stamps)

    def rate(self) -> float:
        """Articles/s from the first hand-off to the last."""
        ns = sorted(t for _id, t in self.stamps)
        return (len(ns) - 1) / ((ns[-1] - ns[0]) / 1e9) if len(ns) > 1 and ns[-1] > ns[0] else 0.0

    def cpu_us(self) -> float:
        return self.cpu_s / max(1, self.count) * 1e6


def run_workers(
    server: str,
    topics: WorkerTopics,
    mode: str,
    processes: int,
    until: int,
    timeout_s: float,
    while_running: Callable[[], Any] | None = None,
) -> Result:
    """Start `processes` workers, release them together, stop once `until` articles were handed off.

    `while_running` is called once the workers were released (e.g. to start a paced publisher).
    """
    ctx = multiprocessing.get_context("spawn")
    done = ctx.Value("q", 0)
    go, stop = ctx.Event(), ctx.Event()
    ready, results = ctx.Queue(), ctx.Queue()
    group = f"bench-{uuid.uuid4().hex[:8]}"
    prefix = f"newswatch-bench:{uuid.uuid4().hex[:8]}:"
    procs = [
        ctx.Process(
            target=_worker_process,
            args=(i, server, topics, mode, group, prefix, ready, go, stop, done, results),
        )
        for i in range(processes)
    ]
    if mode == "full":
        subscribe(prefix)
    for p in procs:
        p.start()
    try:
        _wait_until_settled(ready, processes, deadline=time.monotonic() + 180)
        server_before = server_cpu_s()
        go.set()
        if while_running is not None:
            while_running()
        deadline = time.monotonic() + timeout_s
        while done.value < until and time.monotonic() < deadline and all(p.is_alive() for p in procs):
            time.sleep(0.05)  # polling a shared counter; nothing here waits for time to pass
        server_after = server_cpu_s()
        stop.set()
        result = Result()
        for _ in procs:
            stamps, cpu_s, rss_mb, what = results.get(timeout=120)
            result.stamps += stamps
            result.cpu_s += cpu_s
            result.rss_mb.append(rss_mb)
            result.what = what
        if server_before is not None and server_after is not None:
            result.server_cpu_s = server_after - server_before
        return result
    finally:
        stop.set()
        for p in procs:
            p.join(60)
            if p.is_alive():
                p.kill()
        _clean_redis(prefix)


def _wait_until_settled(ready: Any, processes: int, deadline: float) -> None:
    """Until every worker holds partitions and together they hold all of them."""
    held: dict[int, int] = {}
    while not (len(held) == processes and all(held.values()) and sum(held.values()) == PARTITIONS):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the group did not settle: partitions per worker {held}")
        index, count = ready.get(timeout=remaining)
        held[index] = count


def subscribe(prefix: str) -> None:
    """BENCH_SUBSCRIPTIONS in Redis under the run's key prefix."""
    from newswatch.alerts.ports import Filters, Subscription, Webhook
    from newswatch.store.alerts_redis import RedisSubscriptions
    from newswatch.store.redis import Keys, client_from_url

    client = client_from_url(redis_url())
    subs = RedisSubscriptions(client, Keys(prefix))
    for sub_id, regions, events in BENCH_SUBSCRIPTIONS:
        filters = Filters(event_types=events, regions=regions)
        hook = Webhook(f"https://hooks.example/{sub_id}")
        subs.create(Subscription(sub_id, "bench", sub_id, filters, hook, "whsec_YmVuY2hzZWNyZXQ="))
    client.close()


def _clean_redis(prefix: str) -> None:
    from newswatch.store.redis import client_from_url

    client = client_from_url(redis_url())
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for i in range(0, len(keys), 1000):
        client.delete(*keys[i : i + 1000])
    client.close()


def _worker_process(
    index: int,
    server: str,
    topics: WorkerTopics,
    mode: str,
    group: str,
    prefix: str,
    ready: Any,
    go: Any,
    stop: Any,
    done: Any,
    results: Any,
) -> None:
    """One worker: build it, join paused, report the partitions held; run from `go` to `stop`."""
    from bench._kafka_workers import build_worker, release

    worker = build_worker(server, topics, mode, group, prefix)
    raw = worker.raw_consumer
    held = -1
    while not go.is_set():
        raw.poll(timeout_ms=100)  # partitions are paused on assignment: this only keeps membership
        count = len(raw.assignment())
        if count != held:
            held = count
            ready.put((index, count))
    release()
    raw.resume(*raw.assignment())
    profile_dir = os.environ.get("NEWSWATCH_BENCH_PROFILE")
    profiler = cProfile.Profile() if profile_dir else None
    cpu0 = time.process_time()
    if profiler is not None:
        profiler.enable()
    while not stop.is_set():
        handed = worker.step()
        if handed:
            with done.get_lock():
                done.value += handed
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(Path(str(profile_dir)) / f"{mode}-{index}.prof"))
    cpu_s = time.process_time() - cpu0
    worker.close()
    rss_mb = peak_rss_mb()
    results.put((worker.stamps, cpu_s, rss_mb, worker.what))


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: Linux carries the high-water mark over
    exec, so a spawned worker reported at least the parent's RSS at spawn time (the parent holds
    every article of the run: ~110 MB more at 20,000 articles than at 4,000, even in `empty` mode)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]
