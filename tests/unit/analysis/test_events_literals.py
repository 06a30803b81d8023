"""The Hyperscan trigger gate finds what the Aho-Corasick gate finds.

`PhraseMatcher.trigger_starts` uses `LiteralStarts` for ASCII texts and the automaton
for the rest; both must give the same start offsets. Texts are generated from the
shipped trigger phrases and noise, or written for these tests.
"""

from __future__ import annotations

import random
import threading

import pytest

from newswatch.analysis.events.detector import EventDetector
from newswatch.analysis.events.literals import LiteralStarts
from newswatch.analysis.events.matcher import PhraseMatcher, padded_text


@pytest.fixture(scope="module")
def matcher(detector: EventDetector) -> PhraseMatcher:
    return detector._matcher


def _texts(matcher: PhraseMatcher, n: int) -> list[str]:
    """Trigger phrases (and longer words they prefix) among ordinary words and punctuation."""
    rng = random.Random(3)
    keys = sorted(k.strip() for k, _ in matcher._gate.items())  # type: ignore[union-attr]
    filler = ["the", "city", "said", "on", "Monday", "report", "2,000", "(AP)", "--", "a", "of", "U.S."]
    out = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(0, 120)):
            r = rng.random()
            if r < 0.2:
                words.append(rng.choice(keys))
            elif r < 0.25:
                words.append(rng.choice(keys) + rng.choice(["s", "ed", "ing", "-"]))
            else:
                words.append(rng.choice(filler))
        out.append(rng.choice([" ", "  ", ". "]).join(words))
    return out


def test_ascii_gate_equals_the_automaton(matcher: PhraseMatcher) -> None:
    written = [
        "Missiles struck the power plant overnight; shelling went on.",
        "No trigger here at all.",
        "",
        "   ",
        "Drones attacked. Drones attacked again!",
    ]
    for text in [*written, *_texts(matcher, 400)]:
        padded = padded_text(text)
        assert padded.isascii()
        got = sorted(matcher.trigger_starts(padded))
        assert got == sorted(matcher.automaton_trigger_starts(padded)), text[:80]


def test_non_ascii_texts_take_the_automaton(matcher: PhraseMatcher) -> None:
    text = "Ракети влучили — missiles struck the plant near Kharkiv"
    padded = padded_text(text)
    assert not padded.isascii()
    assert matcher.trigger_starts(padded) == matcher.automaton_trigger_starts(padded)
    assert matcher.trigger_starts(padded)  # "struck" is still found


def test_overlapping_and_repeated_keys_are_all_reported() -> None:
    gate = LiteralStarts([" shell", " shelled ", " power plant ", " plant ", " café "])
    text = " they shelled the power plant and shelled it "
    # " shell" and " shelled " both start at 5 and 33; " power plant " at 17, " plant " at 23
    assert sorted(gate.starts(text)) == [5, 5, 17, 23, 33, 33]
    assert gate.starts(" nothing to see ") == []


def test_non_ascii_keys_are_left_out_and_texts_refused() -> None:
    gate = LiteralStarts([" café ", ""])
    assert gate.starts(" cafe ") == []
    with pytest.raises(ValueError, match="ASCII"):
        gate.starts(" café ")


def test_threads_share_one_gate() -> None:
    gate = LiteralStarts([" strike ", " strikes "])
    text = " strike " * 200
    expected = gate.starts(text)
    results: list[list[int]] = []

    def run() -> None:
        for _ in range(200):
            results.append(gate.starts(text))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 800 and all(r == expected for r in results)
