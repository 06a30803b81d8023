"""The compiled lookup table: one row per known word, built once at load."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from newswatch.analysis.topics.lexicon import LexiconRule
from newswatch.analysis.topics.weights import TITLE_PREFIX, LinearWeights
from newswatch.domain.model import Topic


@dataclass(frozen=True, slots=True)
class FeatureTable:
    """Row i of every array belongs to the word `index` maps to i; row 0 is "unknown" (zeros)."""

    index: dict[bytes, int]
    idf: np.ndarray  # (rows,), 0 for lexicon-only words
    matrix: np.ndarray  # (rows, 2 * model classes + 17): LR weights, NB log-probs, 1 per lexicon topic
    bias: np.ndarray  # (model classes,): LR intercept + nb_weight * NB log prior
    nb_weight: float
    model_topics: np.ndarray  # column of each model class in the 17-topic order
    char_limit: int


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
    idf = np.zeros(n)
    idf[1 : m + 1] = model.idf
    matrix = np.zeros((n, 2 * k + len(topics)))
    matrix[1 : m + 1, : 2 * k] = np.asarray(model.coef, dtype=float).reshape(m, 2 * k)
    for rule in rules:
        col = 2 * k + topics.index(rule.topic)
        for term in rule.terms:
            matrix[index[term.encode("utf-8")], col] = 1.0
            matrix[index[(TITLE_PREFIX + term).encode("utf-8")], col] = 1.0
    return FeatureTable(
        index=index,
        idf=idf,
        matrix=matrix,
        bias=np.asarray(model.intercept, dtype=float)
        + model.nb_weight * np.asarray(model.nb_prior, dtype=float),
        nb_weight=model.nb_weight,
        model_topics=np.array([topics.index(Topic(c)) for c in model.classes], dtype=np.intp),
        char_limit=model.char_limit,
    )
