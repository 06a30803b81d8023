"""Fixtures of the embedded end-to-end tests: a `newswatch run` process, and a receiver of its webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.embedded_process import EmbeddedProcess, Receiver


@pytest.fixture
def hook_receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def embedded_service(tmp_path: Path) -> Iterator[EmbeddedProcess]:
    """`newswatch run` on a fresh data dir, allowed to post webhooks to 127.0.0.1; stopped cleanly after."""
    # A loaded machine (CI, shared cores) can take most of a minute to import and start.
    svc = EmbeddedProcess(tmp_path, {"NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "1"}, start_timeout_s=150).start()
    yield svc
    assert svc.stop() == 0
