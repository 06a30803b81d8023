"""News or background: decided by how the text places an event in time, not by where it is told.

Long reports often tell the night's strikes in the fourth paragraph, after the lead and
the politics; they are news all the same. What makes a mention background is the text
marking it as earlier than the news: an explicit past date ("on 3 March 2022", "in 2022"),
a relative past ("last month", "earlier this year", "two years ago"), a reference the news
is dated by ("since last spring", "a year after", "on the anniversary of"). A fresh anchor of the
sentence's own ("overnight", "on Sunday night", "this morning") outweighs those: "missiles
hit the plant overnight, a year after the first strike" reports the strike.

The frame of a sentence without any cue carries over from the sentence before it in the
same paragraph: "Last winter Russia targeted the grid. Missiles hit dozens of substations."
tells two earlier events. Background mentions are kept, marked `background` and with their
confidence scaled below `REPORTED_CONFIDENCE`, so subscribers are not alerted to them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from newswatch.analysis.events.dates import stated_dates
from newswatch.analysis.events.sentences import first_sentence, sentence_at
from newswatch.domain.model import REPORTED_CONFIDENCE, Event

# Puts the most confident rule (0.9) below REPORTED_CONFIDENCE.
BACKGROUND_FACTOR = 0.4
assert 0.9 * BACKGROUND_FACTOR < REPORTED_CONFIDENCE
# A date stated this many days before the article's own date is an earlier event.
PAST_DATE_DAYS = 3

_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_PERIOD = r"(?:week|month|year|winter|summer|autumn|fall|spring|weekend)"
_NUM = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|many|few|\d+)"
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"

# Anchors placing what a sentence tells at the time of the news.
_FRESH = re.compile(
    rf"\b(?:overnight|tonight|today|yesterday|this (?:morning|afternoon|evening|week)"
    rf"|last night|earlier today|hours? (?:ago|earlier|later)|in the early hours"
    rf"|(?:on |late |early )?{_DAY}(?:'s)?(?: (?:night|morning|afternoon|evening))?)\b",
    re.IGNORECASE,
)
# Cues marking what a whole sentence tells as earlier than the news. Cues that mark only the
# clause they open ("days after the town was retaken", "in the wake of", "the anniversary of")
# are the rule files' `ctx_background` set: they block the trigger they govern, and the
# sentence's main clause stays news ("a day after the summit, missiles struck").
_PAST = re.compile(
    rf"\b(?:last {_PERIOD}|(?:earlier|late|early) (?:this|last) (?:year|month)"
    rf"|(?:earlier|early) in the (?:war|invasion|conflict)"
    rf"|{_NUM} (?:weeks?|months?|years?|decades?) (?:ago|earlier)|since then"
    rf"|at the (?:start|beginning|outset) of the (?:war|invasion|conflict)"
    rf"|since (?:last|early|late|the (?:start|beginning|outset)|the (?:full-scale )?invasion|{_MONTH}"
    rf"|(?P<since>(?:19|20)\d\d))"
    rf"|in (?:early |late |mid-)?(?:{_MONTH} )?(?P<year>(?:19|20)\d\d))\b",
    re.IGNORECASE,
)

# Every match of _FRESH holds one of these (weekdays, today and yesterday end in "day"); every
# match of _PAST one of those.
_FRESH_KEYS = ("day", "overnight", "tonight", "this ", "last night", "hour")
_PAST_KEYS = (
    "last ",
    "earl",
    "late ",
    "ago",
    "since",
    "start",
    "beginning",
    "outset",
    "previous",
    "in 19",
    "in 20",
)

# An ordinal or superlative before "since" counts the news against a period, it is no recap.
_RECORD = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th)"
    r"|\w+est|most|biggest|worst)\b(?:\s+[\w-]+){0,6}\s+since(?:\s+[\w-]+){1,4}",
    re.IGNORECASE,
)


def weigh_by_time(events: Sequence[Event], text: str, published: str | None = None) -> list[Event]:
    """`events`, those the text marks as earlier than the news turned into background mentions.

    `published` is the article's date (ISO, date or date-time); without it the first date
    the text states is the reference (conflict logs give it up front), else no date counts.
    """
    if not events:
        return []
    ref = _reference(text, published, events)
    frames: dict[int, bool] = {}
    out = []
    for e in events:
        start = e.evidence.start
        past = frames.get(start)
        if past is None:
            past = frames[start] = earlier(text, start, e.evidence.end, ref, e.occurred)
        out.append(background(e) if past else e)
    return out


def earlier(text: str, start: int, end: int, ref: date | None, occurred: str | None = None) -> bool:
    """Whether the sentence text[start:end] tells something earlier than the news.

    `occurred` is the date the detector read for the event (ISO), when it stated one.
    """
    own = _frame(text[start:end], ref)
    if own is not None:
        return own
    if ref is not None and occurred is not None:
        stated = _date(occurred)
        if stated is not None and (ref - stated).days > PAST_DATE_DAYS:
            return True
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start].rstrip()
    # The sentence before carries its frame over only when it marks the past: most do not,
    # and looking for the cue first spares cutting that sentence out.
    if not before or not any(k in before.lower() for k in _PAST_KEYS) or _PAST.search(before) is None:
        return False
    prev = sentence_at(text, line_start + len(before) - 1)
    return _frame(text[prev.start : prev.end], ref) is True


def _frame(sentence: str, ref: date | None) -> bool | None:
    """True: earlier; False: fresh; None: the sentence does not say (by its words)."""
    low = sentence.lower()
    # Substring tests first: the patterns are long alternations, and most sentences hold no cue.
    if any(k in low for k in _FRESH_KEYS) and _FRESH.search(sentence):
        return False
    if not any(k in low for k in _PAST_KEYS):
        return None
    if "since" in low:
        # "the sixth attack since early October" is a new one, counted against a period.
        sentence = _RECORD.sub("", sentence)
    for m in _PAST.finditer(sentence):
        year = m.group("year") or m.group("since")
        if year is None or (ref is not None and int(year) < ref.year):
            return True
    return None


def _reference(text: str, published: str | None, events: Sequence[Event]) -> date | None:
    if published:
        got = _date(published[:10])
        if got is not None:
            return got
    # Conflict logs state the date in their first sentence; when an event is told there, the
    # detector has read that date already.
    first = first_sentence(text)
    if first is None:
        return None
    for e in events:
        if e.evidence.start == first.start:
            return _date(e.occurred) if e.occurred else None
    found = stated_dates(first.text)
    return _date(found[0][1]) if found else None


def _date(iso: str) -> date | None:
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None


def background(e: Event) -> Event:
    """`e` as a background mention: marked so, confidence below the reported level."""
    conf = round(e.confidence * BACKGROUND_FACTOR, 4)
    # Built directly: dataclasses.replace costs ~3x a constructor call (field introspection).
    attrs = {**e.attributes, "background": True}
    return Event(e.type, conf, e.rule, e.evidence, e.location, attrs, e.occurred)
