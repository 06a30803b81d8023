"""Shared fixtures of the analysis tests: the gazetteer resolver is loaded once per session."""

from __future__ import annotations

import pytest

from newswatch.analysis.regions import RegionResolver


@pytest.fixture(scope="session")
def resolver() -> RegionResolver:
    return RegionResolver.load()
