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

The softmax is taken without a logarithm: with e(t) = exp(z(t) - max z) for
the model's raw logits z (see `_features`) and S their sum, exp(logit(t)) is
proportional to e(t) * boost(t) for model topics and floor_prob * S * boost(t)
for the others, boost(t) = exp(lexicon_weight * min(...)) read from a table.
Same scores up to float rounding, seven exponentials instead of twenty-four.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add, itemgetter, mul, sub, truediv

from newswatch.analysis.topics import lexicon, weights
from newswatch.analysis.topics.native import native_sums
from newswatch.analysis.topics.table import FeatureTable, build_table, column_sums
from newswatch.analysis.topics.tokens import counts_of, feature_bytes
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
    """Scores all 17 IPTC topics; immutable after construction, thread-safe.

    `native`: sum the article's features in C (`_sums.c`) when the installed build has
    that extension; False, or a pure-Python install, sums them with numpy (`column_sums`).
    """

    def __init__(self, table: FeatureTable, tuning: Tuning = Tuning(), native: bool = True) -> None:
        self._t = table
        self._tuning = tuning
        self._sums = native_sums(table) if native else None
        k = table.n_classes
        # Lays [e(model class 0), ..., e(model class k-1), floor term] out in
        # `TOPICS` order (every topic the model lacks gets the floor term).
        self._spread = itemgetter(
            *(table.model_topics.index(i) if i in table.model_topics else k for i in range(len(TOPICS)))
        )
        # exp(lexicon bonus) by hit count; counts past the cap get `_boost_cap`.
        off, cap = tuning.hit_offset, tuning.hit_cap
        self._boost = {
            float(h): math.exp(tuning.lexicon_weight * min(h - off, cap)) if h > off else 1.0
            for h in range(off + cap + 1)
        }
        self._boost_cap = math.exp(tuning.lexicon_weight * cap)

    @property
    def native(self) -> bool:
        """Whether the C sums are in use."""
        return self._sums is not None

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
        return tuple(
            [TopicScore(TOPICS[i], scores[i]) for i in ranked(scores, self._tuning.secondary_threshold)]
        )

    def scores(self, article: Article) -> list[float] | None:
        """Probability per topic (order of `TOPICS`), or None when no word is known."""
        z, hits = self._features(article)
        # Unnormalised: e(model class) for each model class, then the floor term.
        if z is None:
            if not any(hits):
                return None
            e = [1.0] * (self._t.n_classes + 1)  # every topic at the floor
        else:
            top = max(z)
            e = list(map(math.exp, map(sub, z, repeat(top))))
            e.append(self._tuning.floor_prob * sum(e))
        u = list(map(mul, self._spread(e), map(self._boost.get, hits, repeat(self._boost_cap))))
        return list(map(truediv, u, repeat(sum(u))))

    def _features(self, article: Article) -> tuple[list[float] | None, list[float]]:
        """Raw model logits z (None without model words) and lexicon hits per topic.

        log_softmax(lr) + w * log_softmax(nb), renormalised, equals
        log_softmax(lr + w * nb + bias): the per-model normalisers are constants.
        """
        t = self._t
        body, title = feature_bytes(article.text, article.title, t.char_limit)
        sums = self._sums(body, title) if self._sums is not None else column_sums(t, counts_of(body, title))
        k = t.n_classes
        hits = sums[2 * k + 1 :]
        if sums[0] == 0.0:
            return None, hits
        norm = math.sqrt(sums[0])  # L2 norm of the article's TF-IDF vector
        lr, nb = sums[1 : k + 1], sums[k + 1 : 2 * k + 1]
        return list(map(add, map(add, map(truediv, lr, repeat(norm)), nb), t.bias)), hits


def ranked(scores: list[float], cut: float) -> list[int]:
    """Indexes of the primary topic, then of up to three others scoring >= `cut`.

    Same as a stable descending sort of all of them cut at four, then filtered,
    without sorting 17: only scores at or above the cut can follow the first,
    and when the best is below it nothing follows. Ties keep the index order.
    """
    top = list(compress(range(len(scores)), map(cut.__le__, scores)))
    if not top:
        return [scores.index(max(scores))]
    if len(top) > 1:
        top.sort(key=scores.__getitem__, reverse=True)  # reverse=True keeps ties stable
    return top[:4]
