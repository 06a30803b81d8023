"""Numbers as news writes them: "13,500", "20,000 – 30,000", "more than 600 square miles", "two", "dozens".

`find_quantities(text)` returns every quantity with its offsets, bounds and the
unit that follows it (when it is an area unit); `parse_number` reads one token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "a hundred": 100, "a dozen": 12, "dozen": 12, "several": 3, "a few": 3,
}  # fmt: skip
# Vague plurals: lower bound of what the writer commits to.
_VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "tens of thousands": 20000}
_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "k": 1_000, "m": 1_000_000}
_QUALIFIER = {
    "more than": "min", "over": "min", "at least": "min", "upwards of": "min",
    "about": "approx", "around": "approx", "roughly": "approx", "nearly": "max", "almost": "max",
    "up to": "max", "some": "approx", "an estimated": "approx", "approximately": "approx",
    "fewer than": "max", "less than": "max", "under": "max",
}  # fmt: skip
_AREA_UNITS = {
    "square miles": "sq_mi", "square mile": "sq_mi", "sq miles": "sq_mi", "sq mi": "sq_mi",
    "square kilometres": "km2", "square kilometers": "km2", "square km": "km2", "sq km": "km2", "km2": "km2",
    "km²": "km2", "hectares": "ha", "hectare": "ha", "acres": "acre",
}  # fmt: skip


def _alternation(phrases: Iterable[str]) -> str:
    """A regex for "any of the phrases, longest first", written as a trie.

    `longest|long|...` makes the engine try every phrase at every word start; the trie
    (`long(?:est)?`) reads each character once. Two phrases can match at one spot only
    when one is a prefix of the other, and the trie tries the longer first (the optional
    continuation is greedy), so it matches exactly what the longest-first list does.
    """
    root: _Node = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}  # a phrase ends here
    return _trie(root)


_Node = dict[str, "_Node"]


def _trie(node: _Node) -> str:
    branches = [re.escape(ch) + _trie(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD = _alternation((*_WORDS, *_VAGUE))
_ONE = rf"(?:{_NUM})(?:\s*(?:{'|'.join(_SCALE)})\b)?|\b(?:{_WORD})\b"
_QUAL = _alternation(_QUALIFIER)
_UNIT = _alternation(_AREA_UNITS)
_QUANTITY_SRC = (
    # The lookahead only skips positions where no quantity can start (inside a word, not
    # at a digit): every branch below starts with a digit or a word boundary.
    r"(?=\d|\b[a-z])"
    rf"(?:\b(?P<qual>{_QUAL})\s+)?(?P<low>{_ONE})"
    rf"(?:\s*(?:–|—|-|to)\s*(?P<high>{_ONE}))?(?:\s+(?P<unit>{_UNIT}))?"
)
# Matching lower-cased text without IGNORECASE is twice as fast; the case-blind pattern
# is kept for the rare text whose lower-casing changes its length (offsets must hold).
_QUANTITY = re.compile(_QUANTITY_SRC)
_QUANTITY_ANY_CASE = re.compile(_QUANTITY_SRC, re.IGNORECASE)
_TOKEN = re.compile(rf"({_NUM})\s*({'|'.join(_SCALE)})?")
# Group numbers of low, high, qual, unit (the same in both case variants): no name lookups per match.
_GROUPS = tuple(_QUANTITY.groupindex[name] for name in ("low", "high", "qual", "unit"))
# Where a quantity can start: a digit, or a word that begins a qualifier or a number
# phrase. Trying the full pattern only there skips its per-position cost elsewhere.
_STARTERS = sorted({p.split(" ")[0] for p in (*_WORDS, *_VAGUE, *_QUALIFIER)})
_START = re.compile(rf"\d+|\b(?:{_alternation(_STARTERS)})\b")
_DIGIT = re.compile(r"\d")
# The regex engine pays several hundred instructions at every position of a pattern that
# cannot start with a known character. For ASCII text the starts are found with patterns
# it can skip to: digit runs, and a space before a starter word in a copy of the text
# whose non-word characters are spaces (there, a word starts right after a space).
_DIGITS = re.compile(r"\d\d*")  # not \d+: a leading single digit lets the engine skip to digits
_SPACED_STARTER = re.compile(rf" (?:{_alternation(_STARTERS)})(?= )")
_WORD_BYTES = frozenset(b for b in range(128) if chr(b).isalnum() or chr(b) == "_")  # what \w is in ASCII
_ASCII_NON_WORD_TO_SPACE = bytes(b if b in _WORD_BYTES or b > 127 else 32 for b in range(256))


class Quantity(NamedTuple):
    """A number found in text, with its bounds, qualifier, unit and offsets (a tuple: cheap to build)."""

    value: float  # the low bound (or the number itself)
    high: float | None
    qualifier: str | None  # min / max / approx
    unit: str | None
    start: int
    end: int

    def to_attr(self) -> dict[str, object]:
        out: dict[str, object] = {"value": _plain(self.value)}
        if self.high is not None:
            out["high"] = _plain(self.high)
        if self.qualifier:
            out["qualifier"] = self.qualifier
        if self.unit:
            out["unit"] = self.unit
        return out


_new = tuple.__new__  # builds a Quantity without the NamedTuple's Python-level __new__


def _plain(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


def parse_number(token: str) -> float | None:
    """One number: digits with thousands separators and an optional scale, or a number word."""
    t = token.strip().lower()
    if t.isdigit() and t.isascii():
        return float(t)  # plain digits, the commonest token: what the pattern below reads too
    if t in _WORDS:
        return float(_WORDS[t])
    if t in _VAGUE:
        return float(_VAGUE[t])
    m = _TOKEN.fullmatch(t)
    if not m:
        return None
    return float(m.group(1).replace(",", "")) * _SCALE.get(m.group(2) or "", 1)


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in text order. Years and day-of-month numbers are not excluded here."""
    out = []
    low_text = text.lower()
    found = _matches(low_text) if len(low_text) == len(text) else _QUANTITY_ANY_CASE.finditer(text)
    for m in found:
        low_token, high_token, qual_word, unit_word = m.group(*_GROUPS)
        low = parse_number(low_token)
        if low is None:
            continue
        high = parse_number(high_token) if high_token else None
        qual = _QUALIFIER[qual_word.lower()] if qual_word else None
        unit = _AREA_UNITS[unit_word.lower()] if unit_word else None
        start, end = m.span()
        out.append(_new(Quantity, (low, high, qual, unit, start, end)))
    return out


def _starts(low_text: str) -> list[int]:
    """Every place a quantity can start: each digit run's first digit, and each whole
    starter word after a word boundary (each phrase's first word is followed by a space or
    a word boundary, so it is a whole word)."""
    if not low_text.isascii():
        return [c.start() for c in _START.finditer(low_text)]
    spaced = f" {low_text.encode('ascii').translate(_ASCII_NON_WORD_TO_SPACE).decode('ascii')} "
    # spaced[i + 1] is low_text[i]: the space before a word at i is spaced[i].
    words = [c.start() for c in _SPACED_STARTER.finditer(spaced)]
    digits = [c.start() for c in _DIGITS.finditer(low_text)]
    return sorted(words + digits) if words and digits else words or digits


def _matches(low_text: str) -> list[re.Match[str]]:
    """`list(_QUANTITY.finditer(low_text))`, trying the pattern only where a match can start.

    Like finditer, a match is tried at a place only when it lies at or after the end of the
    previous match; the one place `_starts` cannot offer is the rest of a digit run a match
    stopped inside ("1,2345"), so a digit right at the end of a match is tried at once.
    """
    out: list[re.Match[str]] = []
    end = 0
    for at in _starts(low_text):
        if at < end:
            continue
        m = _QUANTITY.match(low_text, at)
        while m is not None:
            out.append(m)
            end = m.end()
            m = _QUANTITY.match(low_text, end) if _DIGIT.match(low_text, end) else None
    return out
