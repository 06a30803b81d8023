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
        self._model_cols = table.model_topics.tolist()

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
        ranked = sorted(zip(scores, TOPICS, strict=True), key=lambda st: -st[0])
        primary = TopicScore(ranked[0][1], ranked[0][0])
        cut = self._tuning.secondary_threshold
        return (primary, *(TopicScore(t, s) for s, t in ranked[1:4] if s >= cut))

    def scores(self, article: Article) -> list[float] | None:
        """Probability per topic (order of `TOPICS`), or None when no word is known."""
        model_z, hits = self._linear(article)
        if model_z is None and not any(hits):
            return None
        tun = self._tuning
        logits = [math.log(tun.floor_prob)] * len(TOPICS)
        if model_z is not None:
            for col, lp in zip(self._model_cols, model_z, strict=True):
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
        ids = np.fromiter(map(t.index.get, toks, repeat(0)), dtype=np.intp, count=len(toks))
        rows, counts = np.unique(ids, return_counts=True)
        x = (np.log(counts) + 1.0) * t.idf[rows]
        norm = math.sqrt(float(x @ x))
        k = len(self._model_cols)
        if norm == 0.0:
            return None, t.matrix[rows, 2 * k :].sum(axis=0).tolist()
        # One product gives the LR scores, NB scores and lexicon hits at once.
        # log_softmax(lr) + w * log_softmax(nb), renormalised, equals
        # log_softmax(lr + w * nb): the per-model normalisers are constants.
        weighted = np.vstack((x / norm, counts * t.nb_weight, np.ones(len(rows))))
        out = weighted @ t.matrix[rows]
        z = out[0, :k] + out[1, k : 2 * k] + t.bias
        return _log_softmax(z.tolist()), out[2, 2 * k :].tolist()


def _log_softmax(z: list[float]) -> list[float]:
    top = max(z)
    log_sum = top + math.log(sum(math.exp(v - top) for v in z))
    return [v - log_sum for v in z]


def _softmax(z: list[float]) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]
