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
from newswatch.analysis.topics.table import FeatureTable, build_table, tf_rows
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
        # Same as a stable descending sort of all 17 cut at four, then filtered:
        # only topics at or above the cut can be secondaries, and when the best
        # is below it there are none. Ties keep the `TOPICS` order.
        cut = self._tuning.secondary_threshold
        top = [i for i, s in enumerate(scores) if s >= cut]
        if not top:
            first = scores.index(max(scores))
            return (TopicScore(TOPICS[first], scores[first]),)
        top.sort(key=scores.__getitem__, reverse=True)  # reverse=True keeps ties stable
        return tuple(TopicScore(TOPICS[i], scores[i]) for i in top[:4])

    def scores(self, article: Article) -> list[float] | None:
        """Probability per topic (order of `TOPICS`), or None when no word is known."""
        model_z, hits = self._linear(article)
        if model_z is None and not any(hits):
            return None
        tun = self._tuning
        logits = [self._floor] * len(TOPICS)
        if model_z is not None:
            # log_softmax over the model classes
            top = max(model_z)
            log_sum = top + math.log(sum([math.exp(v - top) for v in model_z]))
            for col, v in zip(self._t.model_topics, model_z, strict=True):
                logits[col] = v - log_sum
        off, cap, weight = tun.hit_offset, tun.hit_cap, tun.lexicon_weight
        for i, h in enumerate(hits):
            if h > off:
                logits[i] += weight * min(h - off, cap)
        top = max(logits)
        e = [math.exp(v - top) for v in logits]
        total = sum(e)
        return [v / total for v in e]

    def _linear(self, article: Article) -> tuple[list[float] | None, list[float]]:
        """Model logits z (None without model words) and lexicon hits per topic.

        log_softmax(lr) + w * log_softmax(nb), renormalised, equals
        log_softmax(lr + w * nb): the per-model normalisers are constants, so
        z = lr + w * nb + bias is all the caller needs.
        """
        t = self._t
        toks = tokens(article.text, t.char_limit)
        if article.title:
            toks += title_tokens(article.title)
        # Unknown words map to row 0, which is all zeros: no filtering pass needed.
        counted = Counter(toks)
        n = len(counted)
        rows = np.fromiter(map(t.index.get, counted, repeat(0)), dtype=np.intp, count=n)
        counts = np.fromiter(counted.values(), dtype=np.intp, count=n)
        # Per distinct word [tf², tf, count, 1] (see tf_rows); one product with the
        # table's columns (see FeatureTable) sums them all. take() is several times
        # cheaper than fancy indexing on small row sets.
        tf = t.tf if len(toks) < len(t.tf) else tf_rows(len(toks) + 1)
        sq, lr, nb, ones = (tf.take(counts, axis=0).T @ t.matrix.take(rows, axis=0)).tolist()
        k = t.n_classes
        hits = ones[2 * k + 1 :]
        if sq[0] == 0.0:
            return None, hits
        norm = math.sqrt(sq[0])  # L2 norm of the article's TF-IDF vector
        z = [a / norm + b + c for a, b, c in zip(lr[1 : k + 1], nb[k + 1 : 2 * k + 1], t.bias, strict=True)]
        return z, hits
