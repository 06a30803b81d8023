"""The language of an article, and whether the analysis covers it.

The topic model and the event rules are written for English; the gazetteer also knows places in
other scripts (Харків, Киев). So an article in another language is analysed for regions only,
and says so (`coverage`), rather than coming back silently empty.

Cost matters: this runs on every article. Most articles are English, and English is told from
the density of its function words in the first few hundred characters (a few microseconds).
Anything else goes to CLD2 (`pycld2`: Chromium's compact detector, C++, models built in), which
costs tens of microseconds on the same prefix.
"""

from __future__ import annotations

import enum

import pycld2

SAMPLE_CHARS = 600  # a prefix is enough to tell a language; the cost stays flat for long articles
FAST_CHARS = 300  # English's function words show within the first fifty words
UNDETERMINED = "und"  # ISO 639-2 for "could not tell"
COVERED = frozenset({"en"})

# Words frequent in any English text and rare as words of other Latin-script languages
# ("a", "in", "de", "die" are left out: Spanish, Italian, German and Dutch use them too).
ENGLISH_WORDS = frozenset(
    {
        "the",
        "of",
        "and",
        "to",
        "is",
        "that",
        "for",
        "on",
        "was",
        "with",
        "as",
        "by",
        "at",
        "from",
        "it",
        "its",
        "said",
        "has",
        "have",
        "are",
        "were",
        "be",
        "an",
        "his",
        "her",
        "their",
        "after",
        "this",
        "which",
        "will",
        "not",
        "but",
        "he",
        "she",
        "they",
        "been",
        "who",
        "would",
    }
)
ENGLISH_SHARE = 0.12  # running English: one word in four or five; other languages: a few in a hundred
ENGLISH_MIN_WORDS = 6  # below this a share says nothing: CLD2 decides


class Coverage(enum.StrEnum):
    FULL = "full"  # topics, regions and events
    REGIONS_ONLY = "regions-only"  # the language has no topic model or event rules: regions only


def detect_language(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code ("en", "uk") of `text`, else the `declared` one's primary subtag, else "und"."""
    sample = text[:SAMPLE_CHARS]
    if _looks_english(sample):
        return "en"
    try:
        reliable, _, found = pycld2.detect(sample, isPlainText=True)
    except pycld2.error:  # bytes CLD2 refuses (it wants valid UTF-8): no guess
        reliable, found = False, ()
    code = found[0][1] if found else "un"
    # A short text is rarely "reliable" to CLD2, but a script other than Latin narrows it enough.
    if code not in ("un", "xxx") and (reliable or not sample.isascii()):
        return _CLD2_ALIASES.get(code, code).split("-")[0].lower()
    if declared:
        return declared.split("-")[0].lower()
    return UNDETERMINED


def coverage(language: str) -> Coverage:
    """Full for the languages the rules are written in, and for text no detector could place."""
    return Coverage.FULL if language in COVERED or language == UNDETERMINED else Coverage.REGIONS_ONLY


def _looks_english(sample: str) -> bool:
    words = sample[:FAST_CHARS].lower().split()
    if len(words) < ENGLISH_MIN_WORDS:
        return False
    hits = sum(1 for word in words if word in ENGLISH_WORDS)
    return hits >= ENGLISH_SHARE * len(words)


# CLD2 keeps a few codes ISO 639-1 has since replaced.
_CLD2_ALIASES = {"iw": "he", "in": "id", "jw": "jv", "mo": "ro"}
