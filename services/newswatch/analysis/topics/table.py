"""The compiled lookup table: one row per known word, built once at load."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from newswatch.analysis.topics.lexicon import LexiconRule
from newswatch.analysis.topics.weights import TITLE_PREFIX, LinearWeights
from newswatch.domain.model import Topic


@dataclass(frozen=True, slots=True)
class FeatureTable:
    """Row i of every array belongs to the word `index` maps to i."""

    index: dict[bytes, int]
    idf: np.ndarray  # (rows,), 0 for lexicon-only words
    coef: np.ndarray  # (rows, model classes)
    intercept: np.ndarray  # (model classes,)
    model_topics: np.ndarray  # column of each model class in the 17-topic order
    lexicon: np.ndarray  # (rows, 17) 1 where the word is in that topic's lexicon
    char_limit: int


def build_table(
    model: LinearWeights, rules: tuple[LexiconRule, ...], topics: tuple[Topic, ...]
) -> FeatureTable:
    """Merge the model vocabulary and the lexicons (title forms too) into one table."""
    words = list(model.vocab)
    seen = set(words)
    for rule in rules:
        for term in sorted(rule.terms):
            for w in (term, TITLE_PREFIX + term):
                if w not in seen:
                    seen.add(w)
                    words.append(w)
    index = {w.encode("utf-8"): i for i, w in enumerate(words)}
    n, k = len(words), len(model.classes)
    idf = np.zeros(n)
    idf[: len(model.vocab)] = model.idf
    coef = np.zeros((n, k))
    coef[: len(model.vocab)] = np.asarray(model.coef, dtype=float).reshape(len(model.vocab), k)
    return FeatureTable(
        index=index,
        idf=idf,
        coef=coef,
        intercept=np.asarray(model.intercept, dtype=float),
        model_topics=np.array([topics.index(Topic(c)) for c in model.classes], dtype=np.intp),
        lexicon=_lexicon_matrix(index, rules, topics),
        char_limit=model.char_limit,
    )


def _lexicon_matrix(
    index: dict[bytes, int], rules: tuple[LexiconRule, ...], topics: tuple[Topic, ...]
) -> np.ndarray:
    lex = np.zeros((len(index), len(topics)))
    for rule in rules:
        col = topics.index(rule.topic)
        for term in rule.terms:
            lex[index[term.encode("utf-8")], col] = 1.0
            lex[index[(TITLE_PREFIX + term).encode("utf-8")], col] = 1.0
    return lex
