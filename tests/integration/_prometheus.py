"""Locating Debian's prometheus/promtool binaries for the observability tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"


def binary(name: str) -> str:
    """Path of `prometheus` or `promtool`, installing Debian's package when missing (root only).

    Raises RuntimeError rather than skipping: these tests must not pass by absence.
    """
    found = shutil.which(name)
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-q", "prometheus"], env=env, check=False, timeout=600)
        found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: apt-get install -y prometheus")
    return found
