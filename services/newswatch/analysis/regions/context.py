"""Pure predicates on the words around a matched name.

They run for every mention, so each starts with a cheap string test and only
then, if at all, uses a regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words before a country that make it a location ("strikes across Ukraine"),
# not an actor ("Russia launched").
_LOCATIVE = frozenset(
    [
        "in",
        "into",
        "across",
        "throughout",
        "inside",
        "within",
        "near",
        "over",
        "on",
        "against",
        "around",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "north",
        "south",
        "east",
        "west",
        "occupied",
    ]
)
# "Village, Oblast": up to four capitalised words (and maybe "village",
# "district"...), then a comma, before the mention.
_VILLAGE = re.compile(
    r"((?:[A-ZÀ-ÞА-ЯЁІЇЄҐ][\w'’.\-]*\s){0,3}[A-ZÀ-ÞА-ЯЁІЇЄҐ][\w'’.\-]*)"
    r"(?:\s(?:village|town|city|settlement|district|raion|community|hromada|area|suburb|microdistrict))?"
    r",\s*$"
)
# "Lviv, Kyiv and Odesa": a list of towns goes on after the second name.
_LIST_GOES_ON = re.compile(r"(?:,\s*|\s+and\s+|\s+or\s+)[A-ZА-ЯІЇЄҐ]")
_NEXT_WORD = re.compile(r"(?:'s|’s)?\s+([\w\-]+)")
_NEXT_CAP = re.compile(r" (?:[A-ZА-ЯІЇЄҐ]\.|[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ'’]+)")
_POSSESSIVE = re.compile(r"['’]s\b")
_WORD = re.compile(r"[\w'’.\-]+")
_RIVER_NEXT = frozenset(
    [
        "river",
        "and",
        "or",
        "in",
        "near",
        "at",
        "on",
        "to",
        "from",
        "into",
        "between",
        "was",
        "is",
        "has",
        "had",
        "which",
        "where",
        "that",
        "with",
        "by",
        "as",
        "for",
        "of",
        "across",
        "along",
    ]
)
_WINDOW = WINDOW = 60  # how far back a comparison or "Village," may start
# Windows are cut with `start - n if start > n else 0`, not max(0, ...): these
# predicates run per mention and a builtin call costs more than the test.


def before(text: str, start: int) -> str:
    return text[start - _WINDOW if start > _WINDOW else 0 : start]


def _last_words(text: str, start: int, n: int) -> list[str]:
    # rsplit with a limit: the same last n words as split(), without splitting the rest.
    return text[start - 30 if start > 30 else 0 : start].lower().rsplit(None, n)[-n:]


_BORDER = frozenset(["border", "borders", "frontier"])


def is_locative(text: str, start: int) -> bool:
    """A preposition of place before the name: "across Ukraine", "the border with Russia"."""
    # The last word alone settles it unless it is "the" or "with" (this runs per mention).
    last = text[start - 30 if start > 30 else 0 : start].rsplit(None, 1)[-1:]
    if not last:
        return False
    word = last[0].lower()
    if word != "the" and word != "with":
        return word in _LOCATIVE
    words = _last_words(text, start, 3)
    if words and words[-1] == "the":
        words = words[:-1]
    if len(words) >= 2 and words[-1] == "with" and words[-2] in _BORDER:
        return True
    return bool(words) and words[-1] in _LOCATIVE


def river_like(text: str, start: int, end: int) -> bool:
    """ "the Dnipro" / "the Don" name a river; "the Mariupol theatre" still names a town."""
    if text[start - 4 if start > 4 else 0 : start] != "the " or (start > 4 and text[start - 5].isalnum()):
        return False
    word = next_word(text, end)
    return not word or word in _RIVER_NEXT


def is_comparison(text: str, start: int, patterns: Sequence[re.Pattern[str]]) -> bool:
    window = text[start - _WINDOW if start > _WINDOW else 0 : start]
    # Cheap test first: every comparison pattern needs one of these words.
    if not ("area" in window or "size" in window or "than" in window or " as " in window or "equ" in window):
        return False
    window = window.lower()
    return any(p.search(window) for p in patterns)


def village_before(text: str, start: int) -> tuple[str, int] | None:
    """The place name in "Village, <mention>" and where it starts, if any."""
    j = start - 1
    while j >= 0 and text[j] == " ":
        j -= 1
    if j < 0 or text[j] != ",":  # the cheap test that almost always settles it
        return None
    window = before(text, start)
    m = _VILLAGE.search(window)
    if m is None:
        return None
    at = start - len(window) + m.start(1)
    if _starts_sentence(text, at):
        return None  # "Meanwhile, Kyiv said", "On Monday, Kharkiv": an opener, not a village
    return m.group(1), at


def _starts_sentence(text: str, at: int) -> bool:
    """Nothing but spaces between `at` and the text's start, a line break or a sentence's end."""
    j = at - 1
    while j >= 0 and text[j] == " ":
        j -= 1
    return j < 0 or text[j] in '.!?\n"“:'


def list_goes_on(text: str, end: int) -> bool:
    return _LIST_GOES_ON.match(text, end) is not None


# `next_word`'s match, for callers that inline it: group 1 is the word as written.
NEXT_WORD = _NEXT_WORD.match


def next_word(text: str, end: int) -> str:
    """The word after a mention (skipping a possessive), lower-cased."""
    m = _NEXT_WORD.match(text, end)
    return m.group(1).lower() if m else ""


def possessive(text: str, end: int) -> bool:
    return _POSSESSIVE.match(text, end) is not None


# Short words a title-case headline still writes in lower case.
_TITLE_LOWER = frozenset(
    ["with", "from", "into", "near", "over", "after", "amid", "about", "says", "said", "than", "that", "this"]
)


# `person_like`'s first test, for callers that inline it.
NEXT_CAP = _NEXT_CAP.match


def person_like(text: str, start: int, end: int) -> bool:
    """A name glued to another capitalised word ("Vladimir Putin"), outside title-case lines."""
    if _NEXT_CAP.match(text, end) is None:
        return False
    words = _WORD.findall(text[start - 50 if start > 50 else 0 : end + 50])
    # In a title-case headline ("Missiles Hit Kharkiv Power Plant") hardly a
    # longer word is lower-case; in running text many are.
    lower = sum(1 for w in words if len(w) >= 4 and w.islower() and w not in _TITLE_LOWER)
    return lower >= 2


def next_words(text: str, end: int, n: int = 2) -> list[str]:
    """Up to n words after a mention (skipping a possessive), lower-cased."""
    return text[end : end + 40].lower().replace("'s ", " ").replace("’s ", " ").split()[:n]


_PREV_NAME = re.compile(r"[A-Z][a-z]+ $")


def after_name(text: str, start: int) -> bool:
    """A capitalised word right before, not starting a sentence ("Rashad Jordan")."""
    window = text[start - 30 if start > 30 else 0 : start]
    m = _PREV_NAME.search(window)
    if m is None:
        return False
    head = window[: m.start()].rstrip()
    return bool(head) and head[-1] not in '.!?:\n"“'
