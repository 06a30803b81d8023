"""Parsers of option values, shared by every configuration class so one spelling means one thing."""

from __future__ import annotations

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})


def flag(raw: str) -> bool:
    """A boolean option: 1/true/yes/on or 0/false/no/off (any case); empty is false.

    Raises ValueError on anything else, so a typo is not read as "off".
    """
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"expected a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")
