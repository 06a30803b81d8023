"""Worker options: read once with Settings, flags win; which errors retry; the child command lines."""

from __future__ import annotations

import argparse
import sqlite3

import pytest
import redis
from kafka.errors import KafkaConnectionError
from kombu.exceptions import OperationalError

from newswatch.commands.worker import child_argv
from newswatch.config import Settings
from newswatch.domain.errors import InvalidMessage
from newswatch.runtime.io_errors import is_io_error
from newswatch.runtime.worker_config import WorkerConfig
from newswatch.transport.base import SendFailed


def test_defaults_when_nothing_is_set() -> None:
    assert Settings.from_env({}).worker == WorkerConfig()
    w = WorkerConfig()
    assert (w.processes, w.produce_analyses, w.analyses_ttl_s, w.compression) == (1, True, 3600, None)


def test_every_variable_is_read_with_the_settings() -> None:
    env = {
        "NEWSWATCH_WORKER_GROUP": "g",
        "NEWSWATCH_WORKER_PROCESSES": "2",
        "NEWSWATCH_WORKER_MAX_RECORDS": "50",
        "NEWSWATCH_ANALYSES_TOPIC": "an",
        "NEWSWATCH_WORKER_PRODUCE_ANALYSES": "0",
        "NEWSWATCH_ANALYSES_TTL_SECONDS": "60",
        "NEWSWATCH_WORKER_LINGER_MS": "7",
        "NEWSWATCH_WORKER_BATCH_BYTES": "1000",
        "NEWSWATCH_WORKER_COMPRESSION": "gzip",
    }
    assert Settings.from_env(env).worker == WorkerConfig(
        group="g",
        processes=2,
        max_records=50,
        analyses_topic="an",
        produce_analyses=False,
        analyses_ttl_s=60,
        linger_ms=7,
        batch_bytes=1000,
        compression="gzip",
    )


@pytest.mark.parametrize(
    "env",
    [
        {"NEWSWATCH_WORKER_PROCESSES": "0"},  # no process at all
        {"NEWSWATCH_WORKER_PROCESSES": "two"},  # not a number
        {"NEWSWATCH_ANALYSES_TTL_SECONDS": "-1"},  # negative
        {"NEWSWATCH_WORKER_COMPRESSION": "brotli"},  # not one kafka-python knows
        {"NEWSWATCH_WORKER_PRODUCE_ANALYSES": "maybe"},  # not a boolean
    ],
)
def test_bad_values_stop_start_up(env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Settings.from_env(env)


def test_flags_win_and_none_means_not_given() -> None:
    w = WorkerConfig(group="env").with_overrides(group=None, processes=3, produce_analyses=False)
    assert (w.group, w.processes, w.produce_analyses) == ("env", 3, False)


@pytest.mark.parametrize(
    ("exc", "io"),
    [
        (ConnectionResetError(), True),  # socket
        (redis.ConnectionError("down"), True),  # store unreachable
        (redis.ResponseError("MISCONF cannot write"), True),  # store refuses writes
        (redis.DataError("cannot encode None"), False),  # our bug, found before sending
        (KafkaConnectionError(), True),  # broker
        (OperationalError("broker"), True),  # Celery's broker (kombu)
        (sqlite3.OperationalError("database is locked"), True),  # embedded store busy
        (SendFailed("x", []), True),  # produced records not stored
        (KeyError("x"), False),  # a bug
        (RecursionError(), False),  # a message nested too deep
        (InvalidMessage("decode_error", "x"), False),  # bad input
    ],
)
def test_which_errors_are_io(exc: BaseException, io: bool) -> None:
    assert is_io_error(exc) is io


def test_an_error_raised_from_an_io_error_is_io() -> None:
    try:
        try:
            raise redis.TimeoutError("slow")
        except redis.TimeoutError as inner:
            raise RuntimeError("planner gave up") from inner
    except RuntimeError as outer:
        assert is_io_error(outer)


def test_each_child_of_a_processes_run_gets_the_flags_one_process_and_its_own_metrics_port() -> None:
    args = argparse.Namespace(
        log_level="INFO",
        bootstrap="k:9092",
        group="g",
        topic=None,
        dlq_topic=None,
        analyses_topic=None,
        max_records=50,
        produce_analyses=False,
        metrics_port=9200,
    )
    assert child_argv(args, 1) == [
        "--log-level",
        "INFO",
        "worker",
        "--processes",
        "1",
        "--bootstrap",
        "k:9092",
        "--group",
        "g",
        "--max-records",
        "50",
        "--no-analyses-topic",
        "--metrics-port",
        "9201",
    ]
