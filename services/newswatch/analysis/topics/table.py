"""The compiled lookup table: one row per known word, built once at load."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from newswatch.analysis.topics.lexicon import LexiconRule
from newswatch.analysis.topics.tokens import TITLE_LIMIT
from newswatch.analysis.topics.weights import TITLE_PREFIX, LinearWeights
from newswatch.domain.model import Topic


def tf_rows(size: int) -> np.ndarray:
    """Row c is [tf², tf, c, 1] for a word seen c times, tf = 1 + log(c) (sublinear TF).

    `size` must exceed any count: a word occurs at most once per two characters
    (token plus separator) and lower-casing at most doubles a text, so twice
    the characters read from body and title is a safe bound.

    One `take` of these rows replaces half a dozen small array operations per
    article; the values are computed exactly as they would be per article.
    """
    counts = np.arange(size, dtype=np.intp)
    rows = np.ones((size, 4))
    with np.errstate(divide="ignore"):
        np.log(counts, out=rows[:, 1])
    rows[:, 1] += 1.0
    np.multiply(rows[:, 1], rows[:, 1], out=rows[:, 0])
    rows[:, 2] = counts
    rows[0] = 0.0  # count 0 never occurs
    return rows


@dataclass(frozen=True, slots=True)
class FeatureTable:
    """Row i of `matrix` belongs to the word `index` maps to i; row 0 is "unknown" (zeros).

    Columns, pre-multiplied so that one product with a word's [tf², tf, count, 1]
    gives everything: idf² (for the TF-IDF norm), idf * LR weight per model
    class, nb_weight * NB log-probability per model class, 1 per lexicon topic.
    """

    index: dict[bytes, int]
    matrix: np.ndarray  # (rows, 1 + 2 * model classes + 17)
    bias: tuple[float, ...]  # per model class: LR intercept + nb_weight * NB log prior
    model_topics: tuple[int, ...]  # column of each model class in the 17-topic order
    char_limit: int
    tf: np.ndarray  # row c for a word seen c times, see tf_rows

    @property
    def n_classes(self) -> int:
        return len(self.model_topics)


def build_table(
    model: LinearWeights, rules: tuple[LexiconRule, ...], topics: tuple[Topic, ...]
) -> FeatureTable:
    """Merge the model vocabulary and the lexicons (title forms too) into one table."""
    # Commonest words (lowest idf) first: the rows, keys and row numbers that
    # nearly every article touches then sit together in memory and stay cached
    # between articles. Row order changes no result (a row is found by its word).
    order = sorted(range(len(model.vocab)), key=model.idf.__getitem__)
    words = ["", *(model.vocab[i] for i in order)]
    seen = set(words)
    for rule in rules:
        for term in sorted(rule.terms):
            for w in (term, TITLE_PREFIX + term):
                if w not in seen:
                    seen.add(w)
                    words.append(w)
    index = {w.encode("utf-8"): i for i, w in enumerate(words) if w}
    n, k, m = len(words), len(model.classes), len(model.vocab)
    idf = np.asarray(model.idf, dtype=float)[order, None]
    coef = np.asarray(model.coef, dtype=float).reshape(m, 2 * k)[order]
    matrix = np.zeros((n, 1 + 2 * k + len(topics)))
    matrix[1 : m + 1, :1] = idf * idf
    matrix[1 : m + 1, 1 : k + 1] = idf * coef[:, :k]
    matrix[1 : m + 1, k + 1 : 2 * k + 1] = model.nb_weight * coef[:, k:]
    for rule in rules:
        col = 1 + 2 * k + topics.index(rule.topic)
        for term in rule.terms:
            matrix[index[term.encode("utf-8")], col] = 1.0
            matrix[index[(TITLE_PREFIX + term).encode("utf-8")], col] = 1.0
    bias = tuple((np.asarray(model.intercept) + model.nb_weight * np.asarray(model.nb_prior)).tolist())
    return FeatureTable(
        index=index,
        matrix=matrix,
        bias=bias,
        model_topics=tuple(topics.index(Topic(c)) for c in model.classes),
        char_limit=model.char_limit,
        tf=tf_rows(2 * (model.char_limit + TITLE_LIMIT) + 2),
    )


def column_sums(t: FeatureTable, counted: Counter[bytes]) -> list[float]:
    """The article's sums over its distinct words r, each seen c(r) times (tf = tf_rows):

    [sum tf² * idf², sum tf * column per model class, sum c * column per model class,
    sum 1 * column per topic]: one entry per matrix column, in column order. `_sums.c`
    computes the same from the article's bytes in C.
    """
    # Unknown words map to row 0, which is all zeros: no filtering pass needed.
    n = len(counted)
    rows = np.fromiter(map(t.index.get, counted, repeat(0)), dtype=np.intp, count=n)
    counts = np.fromiter(counted.values(), dtype=np.intp, count=n)
    # Per distinct word [tf², tf, count, 1] (see tf_rows); one product with the
    # columns sums them all. take() is several times cheaper than fancy indexing
    # on small row sets.
    sq, lr, nb, ones = (t.tf.take(counts, axis=0).T @ t.matrix.take(rows, axis=0)).tolist()
    k = t.n_classes
    return [sq[0], *lr[1 : k + 1], *nb[k + 1 : 2 * k + 1], *ones[2 * k + 1 :]]
