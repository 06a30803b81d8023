"""Is a trigger reported as having happened? Threats, plans, negation, questions, claims.

Cue phrases come from the rule files' reserved sets: `ctx_modal` (threats, plans,
hypotheticals, denials), `ctx_negation` (no, not, never), `ctx_background` (days
after, since, in the wake of: an earlier occurrence the news is dated by) and
`ctx_claim` (said, claimed, according to). A modal, negation or background cue
blocks a trigger it precedes closely; a claim anywhere in the sentence lowers the
confidence instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from newswatch.analysis.events.matcher import Hit

MODAL_WINDOW = 12  # words between a modal cue and the trigger it governs
NEGATION_WINDOW = 3
BACKGROUND_WINDOW = 3  # "days after a daring cross-border incursion" still counts
CLAIM_FACTOR = 0.75


def words_between(text: str, a: int, b: int) -> int:
    """Number of words in text[a:b] (a <= b), counted by whitespace runs."""
    return len(text[a:b].split()) if b > a else 0


# A new clause between a cue and the trigger ends the cue's reach: in "Russia, which
# threatened to strike, said missiles hit a plant" the threat does not govern "hit".
CLAUSE_BREAKS = (";", " said ", " says ", ", but ", ", and ", ", while ", " after ", " as ")


def _governs(text: str, cue: Hit, trigger: Hit, window: int, breaks: tuple[str, ...] = CLAUSE_BREAKS) -> bool:
    if cue.end > trigger.start or words_between(text, cue.end, trigger.start) > window:
        return False
    between = text[cue.end : trigger.start]
    return not any(b in between for b in breaks)


# A background cue governs one noun phrase or clause: "a day after the summit, missiles
# struck" reports the strike; the comma ends the reference.
_BACKGROUND_BREAKS = (*CLAUSE_BREAKS, ",")

# Cue sets that block a trigger they precede closely, with their reach in words.
_GOVERNING = (
    ("ctx_modal", MODAL_WINDOW, CLAUSE_BREAKS),
    ("ctx_negation", NEGATION_WINDOW, CLAUSE_BREAKS),
    ("ctx_background", BACKGROUND_WINDOW, _BACKGROUND_BREAKS),
)
# A sentence with none of these sets (and no question mark) blocks no trigger.
GOVERNING_SETS = frozenset(name for name, _, _ in _GOVERNING)


def is_blocked(
    text: str, question: bool, trigger: Hit, cues: Mapping[str, Sequence[Hit]], attack: Hit | None = None
) -> bool:
    """True when the trigger is threatened, planned, hypothetical, denied, negated, asked,
    or only the background the news is dated by ("weeks after the town was retaken").

    `text` is the article text the hits index into; `question` says the sentence asks.
    `attack` is the rule's trigger when `trigger` is another of its hits: a threat verb
    right after it has the attack as subject and does not block ("renewed shelling
    threatens the nuclear plant" reports shelling; "Russia threatened to strike" does not).
    """
    if question:
        return True
    for set_name, window, breaks in _GOVERNING:
        for c in cues.get(set_name, ()):
            if _governs(text, c, trigger, window, breaks) and not _threat_by(text, c, attack):
                return True
    return False


SUBJECT_WINDOW = 3  # words between an attack noun and the threat verb it is subject of


def _threat_by(text: str, cue: Hit, attack: Hit | None) -> bool:
    if attack is None or cue.value != "threaten" or attack.end > cue.start:
        return False
    return words_between(text, attack.end, cue.start) <= SUBJECT_WINDOW


def claim_factor(cues: Mapping[str, Sequence[Hit]]) -> float:
    """Confidence multiplier: one side's claim counts, but less than an observed fact."""
    return CLAIM_FACTOR if cues.get("ctx_claim") else 1.0
