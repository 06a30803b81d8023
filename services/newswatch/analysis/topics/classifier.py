"""Topic classification: learned weights plus seed lexicons, one linear pass.

For every topic t the final logit is

    log p_model(t) + lexicon_weight * min(max(hits(t) - hit_offset, 0), hit_cap)

where p_model is the learned model (logistic regression blended with naive
Bayes, see weights.py) over the topics it was trained on (topics it never saw
get `floor_prob`), and hits(t) counts the distinct lexicon words of t in the
article, title words counting twice. A stray word adds little next to a
confident model (a long match report mentioning rain stays sport); several
distinct ones make a topic even without training data. Scores are the softmax
of these logits, so they lie in [0, 1].
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from newswatch.analysis.topics import lexicon, weights
from newswatch.analysis.topics.table import FeatureTable, build_table
from newswatch.analysis.topics.tokens import title_tokens, tokens
from newswatch.domain.model import Article, Topic, TopicScore

TOPICS: tuple[Topic, ...] = tuple(Topic)


@dataclass(frozen=True, slots=True)
class Tuning:
    """How the two sources combine; defaults were chosen by cross-validation."""

    lexicon_weight: float = 0.5
    hit_offset: int = 0
    hit_cap: int = 8
    floor_prob: float = 0.1
    secondary_threshold: float = 0.2


class TopicClassifier:
    """Scores all 17 IPTC topics; immutable after construction, thread-safe."""

    def __init__(self, table: FeatureTable, tuning: Tuning = Tuning()) -> None:
        self._t = table
        self._tuning = tuning
        self._floor = math.log(tuning.floor_prob)

    @classmethod
    def load(cls, tuning: Tuning = Tuning()) -> TopicClassifier:
        """Read the shipped model and rule files (raises on a malformed file)."""
        return cls.build(weights.load(), lexicon.load_rules(), tuning)

    @classmethod
    def build(
        cls, model: weights.LinearWeights, rules: tuple[lexicon.LexiconRule, ...], tuning: Tuning = Tuning()
    ) -> TopicClassifier:
        return cls(build_table(model, rules, TOPICS), tuning)

    def classify(self, article: Article) -> tuple[TopicScore, ...]:
        """Primary topic first, then up to three secondaries scoring >= the threshold.

        Pure and total: never raises for a valid Article; () when the text has
        no word the model or the lexicons know (nothing to decide on).
        """
        scores = self.scores(article)
        if scores is None:
            return ()
        # A stable sort: equal scores keep the `TOPICS` order.
        first, *others = sorted(range(len(TOPICS)), key=scores.__getitem__, reverse=True)[:4]
        cut = self._tuning.secondary_threshold
        secondary = (TopicScore(TOPICS[i], scores[i]) for i in others if scores[i] >= cut)
        return (TopicScore(TOPICS[first], scores[first]), *secondary)

    def scores(self, article: Article) -> list[float] | None:
        """Probability per topic (order of `TOPICS`), or None when no word is known."""
        model_lp, hits = self._linear(article)
        if model_lp is None and not any(hits):
            return None
        tun = self._tuning
        logits = [self._floor] * len(TOPICS)
        if model_lp is not None:
            for col, lp in zip(self._t.model_topics, model_lp, strict=True):
                logits[col] = lp
        for i, h in enumerate(hits):
            if h > tun.hit_offset:
                logits[i] += tun.lexicon_weight * min(h - tun.hit_offset, tun.hit_cap)
        return _softmax(logits)

    def _linear(self, article: Article) -> tuple[list[float] | None, list[float]]:
        """Model log-probabilities (None without model words) and lexicon hits per topic."""
        t = self._t
        toks = tokens(article.text, t.char_limit)
        if article.title:
            toks += title_tokens(article.title)
        # Unknown words map to row 0, which is all zeros: no filtering pass needed.
        counted = Counter(toks)
        n = len(counted)
        rows = np.fromiter(map(t.index.get, counted, repeat(0)), dtype=np.intp, count=n)
        counts = np.fromiter(counted.values(), dtype=np.intp, count=n)
        # Per distinct word [tf², tf, count, 1], tf = 1 + log(count) (sublinear TF);
        # one product with the table's columns (see FeatureTable) sums them all.
        w = np.ones((4, len(rows)))
        np.log(counts, out=w[1])
        w[1] += 1.0
        np.multiply(w[1], w[1], out=w[0])
        w[2] = counts
        out = w @ t.matrix[rows]
        k = t.n_classes
        hits = out[3, 2 * k + 1 :].tolist()
        norm = math.sqrt(out[0, 0])  # L2 norm of the article's TF-IDF vector
        if norm == 0.0:
            return None, hits
        # log_softmax(lr) + w * log_softmax(nb), renormalised, equals
        # log_softmax(lr + w * nb): the per-model normalisers are constants.
        z = out[1, 1 : k + 1] / norm + out[2, k + 1 : 2 * k + 1] + t.bias
        return _log_softmax(z.tolist()), hits


def _log_softmax(z: list[float]) -> list[float]:
    top = max(z)
    log_sum = top + math.log(sum(math.exp(v - top) for v in z))
    return [v - log_sum for v in z]


def _softmax(z: list[float]) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]
