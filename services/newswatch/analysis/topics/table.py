"""The compiled lookup table: one row per known word, built once at load."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from newswatch.analysis.topics.lexicon import LexiconRule
from newswatch.analysis.topics.weights import TITLE_PREFIX, LinearWeights
from newswatch.domain.model import Topic


@dataclass(frozen=True, slots=True)
class FeatureTable:
    """Row i of `matrix` belongs to the word `index` maps to i; row 0 is "unknown" (zeros).

    Columns, pre-multiplied so that one product with a word's [tf², tf, count, 1]
    gives everything: idf² (for the TF-IDF norm), idf * LR weight per model
    class, nb_weight * NB log-probability per model class, 1 per lexicon topic.
    """

    index: dict[bytes, int]
    matrix: np.ndarray  # (rows, 1 + 2 * model classes + 17)
    bias: np.ndarray  # (model classes,): LR intercept + nb_weight * NB log prior
    model_topics: tuple[int, ...]  # column of each model class in the 17-topic order
    char_limit: int

    @property
    def n_classes(self) -> int:
        return len(self.model_topics)


def build_table(
    model: LinearWeights, rules: tuple[LexiconRule, ...], topics: tuple[Topic, ...]
) -> FeatureTable:
    """Merge the model vocabulary and the lexicons (title forms too) into one table."""
    words = ["", *model.vocab]
    seen = set(words)
    for rule in rules:
        for term in sorted(rule.terms):
            for w in (term, TITLE_PREFIX + term):
                if w not in seen:
                    seen.add(w)
                    words.append(w)
    index = {w.encode("utf-8"): i for i, w in enumerate(words) if w}
    n, k, m = len(words), len(model.classes), len(model.vocab)
    idf = np.asarray(model.idf, dtype=float)[:, None]
    coef = np.asarray(model.coef, dtype=float).reshape(m, 2 * k)
    matrix = np.zeros((n, 1 + 2 * k + len(topics)))
    matrix[1 : m + 1, :1] = idf * idf
    matrix[1 : m + 1, 1 : k + 1] = idf * coef[:, :k]
    matrix[1 : m + 1, k + 1 : 2 * k + 1] = model.nb_weight * coef[:, k:]
    for rule in rules:
        col = 1 + 2 * k + topics.index(rule.topic)
        for term in rule.terms:
            matrix[index[term.encode("utf-8")], col] = 1.0
            matrix[index[(TITLE_PREFIX + term).encode("utf-8")], col] = 1.0
    bias = np.asarray(model.intercept) + model.nb_weight * np.asarray(model.nb_prior)
    return FeatureTable(
        index=index,
        matrix=matrix,
        bias=bias,
        model_topics=tuple(topics.index(Topic(c)) for c in model.classes),
        char_limit=model.char_limit,
    )
