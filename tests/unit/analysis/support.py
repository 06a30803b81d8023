"""Helpers shared by the analysis tests."""

from __future__ import annotations

from newswatch.analysis.regions import RegionResolver


def codes(resolver: RegionResolver, text: str) -> set[str]:
    """The region codes the resolver finds in `text`."""
    return {r.code for r in resolver.resolve(text).regions}
