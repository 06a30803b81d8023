"""The short codes of the hand-labelling sheets (raw/*.txt), shared by the build_*.py scripts."""

from __future__ import annotations

import re

EVENTS = {
    "bc": "border_crossing",
    "pp": "power_plant_strike",
    "is": "infrastructure_strike",
    "st": "strike",
    "ac": "armed_clash",
    "tc": "territorial_change",
    "rt": "retreat",
    "bo": "blackout",
    "cs": "casualties",
    "el": "equipment_loss",
    "dp": "displacement",
}
TOPICS = {
    "art": "arts_culture_entertainment",
    "cri": "crime",
    "dis": "disaster",
    "eco": "economy",
    "edu": "education",
    "env": "environment",
    "hea": "health",
    "hum": "human_interest",
    "lab": "labour",
    "lif": "lifestyle",
    "pol": "politics",
    "rel": "religion",
    "sci": "science_technology",
    "soc": "society",
    "spo": "sport",
    "con": "conflict",
    "wea": "weather",
}
REPOS = {"24": "rumca-js/RSS-Link-Database-2024", "25": "rumca-js/RSS-Link-Database-2025"}
DATE = re.compile(r"/(\d{4}-\d{2}-\d{2})/")


def codes(field: str, table: dict[str, str], where: str) -> list[str]:
    """A comma-separated field of short codes as the labels they stand for ("-" or empty: none)."""
    if field.strip() in ("", "-"):
        return []
    out = []
    for code in field.split(","):
        code = code.strip()
        if code not in table:
            raise ValueError(f"{where}: unknown code {code!r}")
        out.append(table[code])
    return out
