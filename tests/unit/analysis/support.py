"""Helpers shared by the analysis tests."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

from newswatch.analysis.regions import RegionResolver


def codes(resolver: RegionResolver, text: str) -> set[str]:
    """The region codes the resolver finds in `text`."""
    return {r.code for r in resolver.resolve(text).regions}


def c_extension(name: str) -> ModuleType:
    """Import one of our C extensions, which only compiled wheels ship.

    Without it the calling test module is skipped (the pure-Python sources), unless
    NEWSWATCH_REQUIRE_COMPILED is set (CI's compiled run), where its absence fails.
    """
    try:
        return importlib.import_module(name)
    except ImportError:
        if os.environ.get("NEWSWATCH_REQUIRE_COMPILED"):
            raise
        pytest.skip(f"pure-Python install: no C extension {name}", allow_module_level=True)
