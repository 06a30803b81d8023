"""Per-article and per-sentence views the detector evaluates rules against.

`ArticleScope` holds what is computed at most once per article, and only when a
sentence needs it; `sentence_hits` turns a sentence's phrase hits into the by-set map
the rules read; `BlockedCache` remembers modality decisions within one sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from newswatch.analysis.events.context import is_blocked, words_between
from newswatch.analysis.events.dates import stated_date
from newswatch.analysis.events.matcher import Hit, PhraseMatcher, fold
from newswatch.analysis.events.rules import Rule
from newswatch.analysis.events.sentences import first_sentence
from newswatch.analysis.text import Sentence

Hits = Mapping[str, Sequence[Hit]]


class ArticleScope:
    """Per-article facts computed at most once, and only when a sentence needs them."""

    __slots__ = ("_fallback", "_folded", "_matcher", "_sets", "padded", "text")

    def __init__(self, text: str, padded: str, matcher: PhraseMatcher) -> None:
        self.text, self.padded, self._matcher = text, padded, matcher
        self._folded: str | None = None
        self._sets: frozenset[str] | None = None
        self._fallback: tuple[str | None] | None = None

    def folded(self) -> str:
        """The lower-cased text, for the cue checks' clause breaks (" said ", ", but ").

        Only sentences with a governing cue or a question need it; word counts do not
        (lower-casing keeps every whitespace character where it is).
        """
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    def sets(self) -> frozenset[str]:
        """Every phrase set with an (unmasked) hit anywhere in the article."""
        if self._sets is None:
            hits = unmasked(self._matcher.scan_span(self.padded, 0, len(self.text)))
            self._sets = frozenset(h.set for h in hits)
        return self._sets

    def fallback_date(self) -> str | None:
        """The date the first sentence states: conflict logs give it once, up front."""
        if self._fallback is None:
            first = first_sentence(self.text)
            self._fallback = (stated_date(first.text) if first else None,)
        return self._fallback[0]


class BlockedCache:
    """`is_blocked` per (anchor, trigger), computed once per sentence: rules share anchors."""

    __slots__ = ("_by_set", "_done", "_folded", "_question")

    def __init__(self, folded: str, question: bool, by_set: Hits) -> None:
        self._folded, self._question, self._by_set = folded, question, by_set
        self._done: dict[tuple[Hit, Hit], bool] = {}

    def __call__(self, h: Hit, trigger: Hit) -> bool:
        key = (h, trigger)
        got = self._done.get(key)
        if got is None:
            got = self._done[key] = is_blocked(self._folded, self._question, h, self._by_set, trigger)
        return got


def sentence_hits(matcher: PhraseMatcher, padded: str, s: Sentence) -> dict[str, list[Hit]]:
    """The sentence's unmasked phrase hits by set, each list in text order."""
    by_set = matcher.scan_grouped(padded, s.start, s.end)
    masks = by_set.pop("mask", None)
    if masks is None:
        return by_set
    # Same lists as grouping `unmasked(hits)`: a set all of whose hits are masked is left out.
    out: dict[str, list[Hit]] = {}
    for name, hits in by_set.items():
        kept = [h for h in hits if not any(m.start <= h.start and h.end <= m.end for m in masks)]
        if kept:
            out[name] = kept
    return out


def unmasked(hits: list[Hit]) -> list[Hit]:
    """Drop hits inside a `mask` phrase: "heart attack", "port city" and "strike a deal"
    contain trigger words but report no event."""
    masks = [h for h in hits if h.set == "mask"]
    if not masks:
        return hits
    return [
        h for h in hits if h.set != "mask" and not any(m.start <= h.start and h.end <= m.end for m in masks)
    ]


def nearest(hits: Sequence[Hit], at: int) -> Hit:
    """The first of the hits starting closest to `at` (as `min` by distance picks)."""
    best = hits[0]
    gap = abs(best.start - at)
    for h in hits:
        d = abs(h.start - at)
        if d < gap:
            best, gap = h, d
    return best


def anchors(rule: Rule, trigger: Hit, by_set: Hits) -> list[Hit]:
    """The trigger and, per other required set, its hit nearest the trigger.

    A cue governing either blocks the match: in "fear of the next bombing of its
    power plants by missiles" the cue governs "bombing", not the trigger "missiles".
    """
    out = [trigger]
    for other in rule.all[1:]:
        out.append(nearest(by_set[other], trigger.start))
    return out


def within(text: str, a: Hit, b: Hit, window: int) -> bool:
    """Whether at most `window` words lie between two hits, without counting when the gap is too short to
    hold more: n characters hold at most (n + 1) // 2 words."""
    lo, hi = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
    if hi <= lo:
        return window >= 0  # no gap: no words between
    if hi - lo <= 2 * window:
        return True
    return words_between(text, lo, hi) <= window
