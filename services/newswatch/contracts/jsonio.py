"""The one JSON parser of the service: the HTTP edge and the pipeline read JSON with the same rules.

orjson does the parsing (strict: NaN, Infinity, 1e400 and lone surrogates, escaped or raw, are
refused). Two more bounds are ours, because what orjson accepts there hurts later:
- nesting deeper than `MAX_DEPTH`: jsonschema walks documents recursively, and explaining an error
  in a 1,000-deep array exhausts Python's stack;
- integers of more than `MAX_INT_DIGITS` digits: orjson turns them into floats, silently losing
  digits (an id or count would change on the way through), and 5,000-digit numbers do not fit any
  store's integer.
Every refusal is an `InvalidMessage('decode_error')` whose detail says which rule and where.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from newswatch.domain.errors import InvalidMessage

MAX_DEPTH = 64
# int64 has 19 digits; 20 digits and more lose precision in orjson or overflow stores.
MAX_INT_DIGITS = 19

_LONG_DIGITS = re.compile(rb"\d{%d}" % (MAX_INT_DIGITS + 1))
# A string literal (skipped) or an integer literal of too many digits (not part of a fraction or
# exponent, which orjson parses as a float on purpose).
_LONG_INT = re.compile(rb'"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])(-?\d{%d,})(?![\d.eE])' % (MAX_INT_DIGITS + 1))


def loads(raw: bytes | bytearray | memoryview | str) -> Any:
    """Parse JSON text, or raise InvalidMessage('decode_error') naming the broken rule."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        kind = "not UTF-8" if "UTF-8" in str(exc) else "not JSON"
        if "depth limit" in str(exc) or "recursion" in str(exc):
            kind = f"nested deeper than {MAX_DEPTH} levels"
        raise InvalidMessage("decode_error", f"{kind}: {exc}") from exc
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    _check_integers(value, data)
    _check_depth(value, data)
    return value


def _check_integers(value: Any, data: bytes) -> None:
    # The text is scanned only when the parsed value holds a number of 1e19 or more: an integer
    # literal of 20+ digits always parses to one (as int or float), and an article rarely holds any.
    # Scanning every message cost ~65 us per 3 KB article, a dozen times orjson's parse.
    if not _has_huge_number(value) or _LONG_DIGITS.search(data) is None:
        return
    for match in _LONG_INT.finditer(data):
        if match.group(1) is not None:
            digits = len(match.group(1).lstrip(b"-"))
            raise InvalidMessage(
                "decode_error",
                f"integer of {digits} digits at byte {match.start(1)}: at most {MAX_INT_DIGITS} digits"
                " are accepted (send large numbers as strings)",
            )


def _has_huge_number(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, int | float) and abs(node) >= 1e19:
            return True
    return False


def _check_depth(value: Any, data: bytes) -> None:
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:  # cannot be deeper than its brackets
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidMessage(
                "decode_error", f"nested deeper than {MAX_DEPTH} levels of arrays and objects"
            )
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
