"""Topic classifier shortcuts give the plain computation's answers.

The classifier skips the simile pass when no cue word is counted, ranks only
the topics above the cut, looks sublinear TF up by count and takes the softmax
without a logarithm. Each is checked here against the straightforward form.
Every sentence is written for these tests (no corpus text).
"""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest

from newswatch.analysis.topics import TopicClassifier
from newswatch.analysis.topics.classifier import TOPICS, ranked
from newswatch.analysis.topics.lexicon import load_rules
from newswatch.analysis.topics.tokens import TITLE_LIMIT, feature_counts, title_tokens, tokens
from newswatch.domain.model import Article, Topic

# (case, title, body)
TEXTS = [
    (
        "no cue word",
        "Council backs new budget",
        "The council approved the budget on Monday after a long debate.",
    ),
    ("'as' without a comparison", "Rates stay as expected", "Prices rose as the bank kept rates on hold."),
    ("'as ADJ as' in the body", None, "The convoy moved as fast as racing cars through the valley."),
    ("simile in the title only", "Crowd ran like sprinters", "Police closed the square after the march."),
    (
        "simile in title and body",
        "Fans sang like a choir",
        "The team played like champions, as if rain did not fall.",
    ),
    ("verb 'like'", "We would like to vote", "Voters said they like the plan, and would like to see more."),
    ("'as well as' idiom", "", "Tanks as well as drones were seen, as well as trucks."),
    (
        "non-ASCII text",
        "Kyiv \u2014 talks resume",
        "\u201cWe talked like old friends\u201d, the envoy said in Kyiv.",
    ),
    ("empty body", "Storm warning", ""),
]


@pytest.mark.parametrize(("title", "body"), [c[1:] for c in TEXTS], ids=[c[0] for c in TEXTS])
def test_feature_counts_equal_counting_all_tokens(title: str | None, body: str) -> None:
    text = Article(id="f", title=title, body=body).text
    expected = Counter(tokens(text, 2000) + (title_tokens(title) if title else []))
    got = feature_counts(text, title, 2000)
    assert list(got.items()) == list(expected.items())  # same counts, same key order


def _ranked_by_sorting(scores: list[float], cut: float) -> list[int]:
    first, *others = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:4]
    return [first, *(i for i in others if scores[i] >= cut)]


def test_ranked_equals_a_stable_sort_cut_at_four() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        # few distinct values, so ties and scores exactly at the cut are common
        scores = [rng.choice((0.0, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5)) for _ in range(17)]
        assert ranked(scores, 0.2) == _ranked_by_sorting(scores, 0.2), scores


@pytest.fixture(scope="module")
def classifier(topic_classifier: TopicClassifier) -> TopicClassifier:
    return topic_classifier


def _reference_scores(clf: TopicClassifier, article: Article) -> list[float] | None:
    """The plain computation: per-word TF-IDF, log-softmax, lexicon bonus, softmax."""
    t, tun = clf._t, clf._tuning
    counted = feature_counts(article.text, article.title, t.char_limit)
    rows = t.matrix[[t.index.get(w, 0) for w in counted]]
    counts = np.array(list(counted.values()), dtype=float)
    tf = 1.0 + np.log(counts)
    k = t.n_classes
    hits = rows[:, 2 * k + 1 :].sum(axis=0)
    norm = math.sqrt(float((tf * tf) @ rows[:, 0]))
    if norm == 0.0 and not hits.any():
        return None
    logits = np.full(len(TOPICS), math.log(tun.floor_prob))
    if norm:
        z = (tf @ rows[:, 1 : k + 1]) / norm + counts @ rows[:, k + 1 : 2 * k + 1] + np.array(t.bias)
        logits[list(t.model_topics)] = z - (z.max() + math.log(np.exp(z - z.max()).sum()))
    logits += tun.lexicon_weight * np.minimum(np.maximum(hits - tun.hit_offset, 0), tun.hit_cap)
    e = np.exp(logits - logits.max())
    return list(e / e.sum())


@pytest.mark.parametrize(("title", "body"), [c[1:] for c in TEXTS], ids=[c[0] for c in TEXTS])
def test_scores_equal_the_plain_computation(
    classifier: TopicClassifier, title: str | None, body: str
) -> None:
    article = Article(id="s", title=title, body=body)
    got, expected = classifier.scores(article), _reference_scores(classifier, article)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-12)


def test_lexicon_hits_past_the_cap_score_as_the_cap(classifier: TopicClassifier) -> None:
    # many distinct weather words: more hits than hit_cap, the bonus stays capped
    weather = next(r.terms for r in load_rules() if r.topic is Topic.WEATHER)
    body = " ".join(sorted(weather)[:40])
    article = Article(id="c", title=None, body=body)
    got, expected = classifier.scores(article), _reference_scores(classifier, article)
    assert expected is not None and got == pytest.approx(expected, abs=1e-12)


def test_the_most_repeated_word_still_has_a_tf_row(classifier: TopicClassifier) -> None:
    # one word as often as the limits allow, in body and title: the count stays inside the table
    t = classifier._t
    article = Article(id="r", title="war " * TITLE_LIMIT, body="war " * t.char_limit)
    assert max(feature_counts(article.text, article.title, t.char_limit).values()) < len(t.tf)
    assert classifier.classify(article)
    one_char = Article(id="r1", title="a " * TITLE_LIMIT, body="\u0130 a " * t.char_limit)
    assert max(feature_counts(one_char.text, one_char.title, t.char_limit).values()) < len(t.tf)
    classifier.classify(one_char)
