"""Topic classification: learned weights plus seed lexicons, one linear pass.

For every topic t the final logit is

    log p_model(t) + lexicon_weight * min(max(hits(t) - hit_offset, 0), hit_cap)

where p_model is the softmax of the learned model over the topics it was
trained on (topics it never saw get `floor_prob`), and hits(t) counts the
distinct lexicon words of t in the article, title words counting twice. One
stray word therefore never makes a topic; several distinct ones can, even for
topics without training data. Scores are the softmax of these logits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from newswatch.analysis.topics import lexicon, weights
from newswatch.analysis.topics.table import FeatureTable, build_table
from newswatch.analysis.topics.tokens import feature_counts
from newswatch.domain.model import Article, Topic, TopicScore

TOPICS: tuple[Topic, ...] = tuple(Topic)


@dataclass(frozen=True, slots=True)
class Tuning:
    """How the two sources combine; defaults were chosen by cross-validation."""

    lexicon_weight: float = 0.6
    hit_offset: int = 1
    hit_cap: int = 8
    floor_prob: float = 0.02
    secondary_threshold: float = 0.2


class TopicClassifier:
    """Scores all 17 IPTC topics; immutable after construction, thread-safe."""

    def __init__(self, table: FeatureTable, tuning: Tuning = Tuning()) -> None:
        self._t = table
        self._tuning = tuning
        self._prior = np.full(len(TOPICS), np.log(tuning.floor_prob))

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
        """Primary topic first, then secondaries scoring >= the threshold; () if no known word."""
        scores = self.scores(article)
        if scores is None:
            return ()
        order = np.argsort(-scores, kind="stable")
        top = [TopicScore(TOPICS[i], float(scores[i])) for i in order[:4]]
        return (top[0], *(s for s in top[1:] if s.score >= self._tuning.secondary_threshold))

    def scores(self, article: Article) -> np.ndarray | None:
        """Probability per topic (order of `TOPICS`), or None without evidence."""
        rows, tf = self._features(article)
        if not rows:
            return None
        r = np.fromiter(rows, dtype=np.intp, count=len(rows))
        logits = self._prior.copy()
        logits[self._t.model_topics] = self._model_log_probs(r, np.log(np.asarray(tf, dtype=float)) + 1.0)
        hits = self._t.lexicon[r].sum(axis=0)
        tun = self._tuning
        logits += tun.lexicon_weight * np.clip(hits - tun.hit_offset, 0, tun.hit_cap)
        e = np.exp(logits - logits.max())
        return e / e.sum()

    def _features(self, article: Article) -> tuple[list[int], list[int]]:
        counts = feature_counts(article.text, article.title, self._t.char_limit)
        get = self._t.index.get
        rows: list[int] = []
        tf: list[int] = []
        for word, n in counts.items():
            i = get(word)
            if i is not None:
                rows.append(i)
                tf.append(n)
        return rows, tf

    def _model_log_probs(self, r: np.ndarray, tf: np.ndarray) -> np.ndarray:
        v = tf * self._t.idf[r]
        norm = float(np.sqrt(v @ v))
        z = self._t.intercept + (v @ self._t.coef[r]) / norm if norm else self._t.intercept.copy()
        z = z - z.max()
        return z - np.log(np.exp(z).sum())
