"""Checking a subscription's filters for values that can match, with a suggestion for each that can't.

Pure (pycountry's tables and the schema's enums are data). The JSON Schema checks only the shape:
`UK` and `UA-99` fit the region pattern but name no ISO 3166 entry, so such a subscription would be
accepted and never fire. Here every region must exist in ISO 3166-1 (countries) or ISO 3166-2
(subdivisions, such as `UA-63`); names, lower case, alpha-3 codes and the codes ISO keeps reserved
(`UK` for GB, `EL` for GR) get "did you mean ...?". Unknown topics and event types get the closest
valid value (difflib).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import pycountry

from newswatch.api.problems import closest, field_error
from newswatch.contracts.schemas import load_schema

# ISO 3166's exceptionally reserved codes in common use: what people type for these countries.
RESERVED_ALIASES = {"UK": "GB", "EL": "GR", "EU": None}


@cache
def event_types() -> tuple[str, ...]:
    items = load_schema("subscription")["$defs"]["filters"]["properties"]["event_types"]["items"]
    return tuple(items["enum"])


@cache
def topics() -> tuple[str, ...]:
    items = load_schema("subscription")["$defs"]["filters"]["properties"]["topics"]["items"]
    return tuple(items["properties"]["id"]["enum"])


def _country(code: str) -> Any:
    return pycountry.countries.get(alpha_2=code)


def _named(code: str) -> str:
    """`UA (Ukraine)` or `UA-63 (Kharkivska oblast)`."""
    found = _country(code) if len(code) == 2 else pycountry.subdivisions.get(code=code)
    return f"{code} ({found.name})" if found is not None else code


def region_exists(code: str) -> bool:
    if len(code) == 2:
        return code.isupper() and _country(code) is not None
    return pycountry.subdivisions.get(code=code) is not None and code == code.upper()


def region_suggestion(value: str) -> str | None:
    """The ISO 3166 code someone most likely meant by `value` (pure), or None."""
    text = value.strip()
    upper = text.upper()
    if upper in RESERVED_ALIASES:
        return RESERVED_ALIASES[upper]
    if text != upper and region_exists(upper):
        return upper  # `ua` -> UA, `ua-63` -> UA-63
    if len(upper) == 3 and upper.isalpha():
        found = pycountry.countries.get(alpha_3=upper)
        if found is not None:
            return str(found.alpha_2)
    if "-" in upper:
        country = upper.split("-", 1)[0]
        if _country(country) is not None:
            return country  # an unknown subdivision of a real country: the country at least
    try:
        return str(pycountry.countries.lookup(text).alpha_2)  # names, official and common names
    except LookupError:
        pass
    try:
        return str(pycountry.subdivisions.lookup(text).code)
    except LookupError:
        pass
    try:
        fuzzy = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return None
    return str(fuzzy[0].alpha_2) if len(text) >= 4 and fuzzy else None


def _region_error(index: int, value: Any) -> dict[str, Any] | None:
    if not isinstance(value, str) or region_exists(value):
        return None
    near = region_suggestion(value)
    if "-" in value and _country(value.split("-", 1)[0]) is not None and value == value.upper():
        message = f"{value!r} is not an ISO 3166-2 subdivision of {_named(value.split('-', 1)[0])}"
    else:
        message = f"{value!r} is not an ISO 3166-1 country or ISO 3166-2 subdivision code"
    suggestion = f"did you mean {_named(near)}?" if near else "use an ISO 3166 code such as UA or UA-63"
    return field_error(f"body.filters.regions[{index}]", message, suggestion)


def _enum_error(field: str, value: Any, valid: tuple[str, ...], what: str) -> dict[str, Any] | None:
    if not isinstance(value, str) or value in valid:
        return None
    near = closest(value, valid) or closest(value.lower().replace(" ", "_").replace("-", "_"), valid)
    suggestion = f"did you mean {near!r}?" if near else f"one of: {', '.join(valid)}"
    return field_error(field, f"{value!r} is not a known {what}", suggestion)


def filter_errors(filters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One problem-details error per filter value that can never match (empty when all can)."""
    errors = [_region_error(i, r) for i, r in enumerate(filters.get("regions") or [])]
    errors += [
        _enum_error(f"body.filters.event_types[{i}]", t, event_types(), "event type")
        for i, t in enumerate(filters.get("event_types") or [])
    ]
    errors += [
        _enum_error(f"body.filters.topics[{i}].id", t.get("id"), topics(), "topic")
        for i, t in enumerate(filters.get("topics") or [])
        if isinstance(t, Mapping)
    ]
    return [e for e in errors if e is not None]
