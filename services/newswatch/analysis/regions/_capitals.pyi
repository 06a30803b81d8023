# Stub for the C extension `_capitals.c` (built into compiled wheels only; see matcher.py).
from typing import TypeVar

_E = TypeVar("_E")

def hits(marked: bytes, low: str, names: dict[str, _E], /) -> list[tuple[int, int, _E]]: ...
