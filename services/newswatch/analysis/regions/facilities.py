"""Named facilities as places: "the Burshtyn power plant" is in Ivano-Frankivsk oblast.

Read once at start-up from `rules/regions/facilities.yaml`: each facility's names joined with
its kind's usual suffixes, placed in its subdivision (curated, so they anchor their country).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from newswatch.analysis.regions.places import Kind, Place


def facility_names(path: Path) -> Iterator[tuple[list[str], Place]]:
    """(names, place) per facility of the file."""
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds: dict[str, list[str]] = raw["kinds"]
    for f in raw["facilities"]:
        names = list(f.get("full", ()))
        for base in f.get("names", ()):
            names += [f"{base} {suffix}" for suffix in kinds[f["kind"]]]
        yield names, Place(Kind.FEATURE, f["country"], f.get("subdivision"), curated=True)
