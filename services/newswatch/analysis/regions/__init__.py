"""ISO 3166 regions from the place names in an article (see resolver.RegionResolver)."""

from newswatch.analysis.regions.resolver import RegionResolver
from newswatch.analysis.regions.result import RegionResult

__all__ = ["RegionResolver", "RegionResult"]
