"""The C feature sums (`topics/_sums.c`) give the numpy path's figures and the same topics.

Compiled wheels (`make install`, CI, the Docker image) ship the extension; with
NEWSWATCH_REQUIRE_COMPILED set its absence fails these tests, elsewhere (the pure-Python
sources) they are skipped. Every text is generated or written for these tests.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from tests.unit.analysis.support import c_extension

from newswatch.analysis.topics import TopicClassifier
from newswatch.analysis.topics.native import native_sums
from newswatch.analysis.topics.table import column_sums
from newswatch.analysis.topics.tokens import counts_of, feature_bytes
from newswatch.domain.model import Article

_sums = c_extension("newswatch.analysis.topics._sums")

WRITTEN = [
    ("Markets slide as rates rise", "Shares fell sharply on Tuesday as the central bank raised rates again."),
    (None, "The striker scored twice and the home side won the cup final in extra time."),
    ("Storm warning", "Forecasters expect heavy rain, strong wind and flooding along the coast."),
    ("", "Troops shelled the town; officials said 12 civilians were killed and 40 wounded."),
    ("Kyiv \u2014 talks resume", "\u201cWe talked like old friends\u201d, the envoy said in Kyi\u0301v."),
    ("Crowd ran like sprinters", "Police closed the square after the march."),
    ("Only a title here", ""),
    (None, "zzqx wibble florp 0000 \u00e9\u00e9\u00e9"),  # no known word
]


@pytest.fixture(scope="module")
def both() -> tuple[TopicClassifier, TopicClassifier]:
    native = TopicClassifier.load()
    pure = TopicClassifier(native._t, native._tuning, native=False)
    assert native.native and not pure.native
    return native, pure


def _random_texts(clf: TopicClassifier, n: int) -> list[tuple[str | None, str]]:
    """Known words (body and title forms), unknown ones, digits, punctuation and non-ASCII."""
    rng = random.Random(11)
    known = sorted(w.decode() for w in clf._t.index if not w.startswith(b"t:"))
    noise = ["qqzx", "2024", "13,500", "\u00fcber", "\u041a\u0438\u0457\u0432", "as", "like", "--", "(", "."]
    out = []
    for _ in range(n):
        size = rng.randint(0, 400)
        words = [rng.choice(known) if rng.random() < 0.7 else rng.choice(noise) for _ in range(size)]
        # repeats: counts beyond one, so sublinear TF matters
        words += [rng.choice(known)] * rng.randint(0, 30)
        rng.shuffle(words)
        title = " ".join(rng.choice(known).capitalize() for _ in range(rng.randint(0, 9))) or None
        out.append((title, " ".join(words)))
    return out


def test_sums_equal_the_numpy_path(both: tuple[TopicClassifier, TopicClassifier]) -> None:
    native, _ = both
    t = native._t
    for title, body in [*WRITTEN, *_random_texts(native, 300)]:
        text = Article(id="n", title=title, body=body).text
        raw_body, raw_title = feature_bytes(text, title, t.char_limit)
        expected = column_sums(t, counts_of(raw_body, raw_title))
        got = native._sums(raw_body, raw_title)  # type: ignore[misc]
        assert len(got) == t.matrix.shape[1]
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (title, body[:80])
        # lexicon hits are counts of distinct words: exact
        assert got[1 + 2 * t.n_classes :] == expected[1 + 2 * t.n_classes :]


def test_topics_equal_the_numpy_path(both: tuple[TopicClassifier, TopicClassifier]) -> None:
    native, pure = both
    for title, body in [*WRITTEN, *_random_texts(native, 200)]:
        article = Article(id="c", title=title, body=body)
        got, expected = native.classify(article), pure.classify(article)
        assert [s.topic for s in got] == [s.topic for s in expected]
        assert [s.score for s in got] == pytest.approx([s.score for s in expected], abs=1e-9)


def test_words_are_runs_of_lowercase_letters_digits_and_utf8() -> None:
    index = {b"war": 1, b"2024": 2, b"t:war": 3, "ki\u0457v".encode(): 4}
    matrix = np.zeros((5, 4))  # one model class: [idf², lr, nb, one lexicon topic]
    matrix[:, 3] = [0, 1, 10, 100, 1000]
    sums = _sums.Sums(index=index, matrix=matrix, rows=5, cols=4, classes=1, tf=np.ones(8), prefix=b"t:")
    # "war" twice counts once per distinct word; "warfare", "wa", "t" are other words
    assert sums(b"war, war;warfare wa t 2024", None)[3] == 11.0
    assert sums("ki\u0457v-war".encode(), b"war")[3] == 1101.0  # title word looked up as t:war
    assert sums(b"", None) == [0.0, 0.0, 0.0, 0.0]


def test_counts_and_tf_weight_the_sums() -> None:
    matrix = np.array([[0.0, 0, 0, 0], [2.0, 3.0, 5.0, 1.0]])
    tf = np.array([0.0, 1.0, 1.5, 1.75])
    sums = _sums.Sums(index={b"rain": 1}, matrix=matrix, rows=2, cols=4, classes=1, tf=tf, prefix=b"t:")
    # seen 3 times: [tf² * 2, tf * 3, 3 * 5, 1]
    assert sums(b"rain rain rain", None) == [1.75**2 * 2, 1.75 * 3, 15.0, 1.0]
    # a count past the tf table: 1 + log(count)
    many = sums(b"rain " * 10, None)
    assert many[1] == pytest.approx((1 + np.log(10)) * 3)


def test_bad_tables_are_refused() -> None:
    ok = {"rows": 2, "cols": 4, "classes": 1, "tf": np.ones(4), "prefix": b"t:"}
    with pytest.raises(ValueError, match="float64"):
        _sums.Sums(index={b"a": 1}, matrix=np.zeros((3, 4)), **ok)  # rows x cols do not match
    with pytest.raises(ValueError, match="float64"):
        _sums.Sums(index={b"a": 1}, matrix=np.zeros((2, 4), dtype=np.float32), **ok)
    with pytest.raises(ValueError, match="row 0 is reserved"):
        _sums.Sums(index={b"a": 0}, matrix=np.zeros((2, 4)), **ok)
    with pytest.raises(ValueError, match="out of range"):
        _sums.Sums(index={b"a": 2}, matrix=np.zeros((2, 4)), **ok)
    with pytest.raises(TypeError, match="bytes"):
        _sums.Sums(index={"a": 1}, matrix=np.zeros((2, 4)), **ok)
    with pytest.raises(ValueError, match="shape"):
        _sums.Sums(index={b"a": 1}, matrix=np.zeros((2, 4)), **{**ok, "classes": 2})


def test_native_sums_is_none_without_the_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    clf = TopicClassifier(TopicClassifier.load()._t, native=False)
    monkeypatch.setitem(sys.modules, "newswatch.analysis.topics._sums", None)  # import fails
    assert native_sums(clf._t) is None
    assert not TopicClassifier(clf._t).native
