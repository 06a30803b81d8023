"""Train the topic model shipped as newswatch/analysis/topics/model.json.gz.

Usage (dev-only dependency: scikit-learn, from the `dev` extra):

    python scripts/train_topics.py ../shared/data/dev/dev.jsonl            # CV report + write model
    python scripts/train_topics.py ../shared/data/dev/dev.jsonl --cv-only  # CV report only
    python scripts/train_topics.py ../shared/data/dev/dev.jsonl --bench    # µs per 3 KB article

Input: labelled JSONL in the format of shared/data/dev/README.md. A record's
training label is its first topic among the classes with enough examples;
conflict-event records (ACLED notes) always count as `conflict`. Features are
built by the package's own tokeniser, so training and serving cannot drift.
The k-fold report scores the full classifier (model + lexicons) on held-out
folds: macro-F1 over topic_only records, as `newswatch eval` does, and the
share of event-labelled conflict records whose primary topic is conflict.
Only vocabulary, idf and weights are written: no text from the data.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import MultinomialNB

from newswatch.analysis.topics import TopicClassifier, lexicon, weights
from newswatch.analysis.topics.tokens import feature_counts
from newswatch.domain.model import Article

CHAR_LIMIT = 2000  # first characters of title + body; topic is set by the lead
MIN_CLASS = 20  # fewer examples than this: left to the lexicons
MIN_DF = 2
WORLD_DEFAULT = None
NOT_WORLD = frozenset({"economy", "sport", "science_technology", "arts_culture_entertainment"})
# Politics words (government, minister, talks) fill business news too: no weak politics labels.
NO_WEAK_LABEL = NOT_WORLD | {"politics"}
C = 30.0  # inverse L2 strength of the regression (5-fold CV: 10..100 within noise)
NB_ALPHA = 0.03
NB_WEIGHT = 0.05  # share of the naive Bayes log-probability in the blend (5-fold CV)


@dataclass(frozen=True)
class Example:
    article: Article
    label: str
    scored: bool  # counts for topic macro-F1 (topic_only, complete labels)
    conflict_event: bool  # event-labelled conflict record: conflict must be primary
    world: bool = False  # weakly labelled world-news item


def read_examples(path: Path, rules: tuple[lexicon.LexiconRule, ...]) -> list[Example]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    for r in rows:
        if not r["labels"].get("topics") and (r.get("orig") or {}).get("class") == "World":
            r["labels"] = {**r["labels"], "topics": _weak_world_topics(r, rules)}
    counts = Counter((r["labels"].get("topics") or [None])[0] for r in rows)
    allowed = {t for t, n in counts.items() if t and n >= MIN_CLASS}
    return [ex for r in rows if (ex := _example(r, allowed)) is not None]


def _weak_world_topics(r: dict, rules: tuple[lexicon.LexiconRule, ...]) -> list[str]:
    """A weak label for unlabelled world-news items, from the seed lexicons.

    Without them the model only sees short wire items as economy, sport or
    science, and files world news (wars, elections, crimes) under those. The
    label is the non-business/sport/science topic with most distinct lexicon
    hits (two or more), else politics, world news' commonest subject.
    """
    words = set(feature_counts(r["text"], r.get("title"), CHAR_LIMIT))
    words |= {w[len(weights.TITLE_PREFIX) :] for w in words if w.startswith(weights.TITLE_PREFIX.encode())}
    best: str | None = WORLD_DEFAULT
    best_hits = 1
    for rule in rules:
        if rule.topic.value in NO_WEAK_LABEL:
            continue
        hits = sum(term.encode() in words for term in rule.terms)
        if hits > best_hits:
            best, best_hits = rule.topic.value, hits
    return [best] if best else []


def _example(r: dict, allowed: set[str]) -> Example | None:
    labels = r["labels"]
    topics = list(labels.get("topics") or ())
    if r["kind"] == "acled_note" and "conflict" in topics:
        topics = ["conflict"]
    label = next((t for t in topics if t in allowed), None)
    if label is None:
        return None
    article = Article(id=r["id"], body=r["text"], title=r.get("title"))
    scored = r["kind"] == "topic_only" and bool(labels.get("topics_complete"))
    conflict_event = bool(labels.get("events_labeled")) and label == "conflict"
    world = (r.get("orig") or {}).get("class") == "World"
    return Example(article, label, scored, conflict_event, world)


def _dicts(examples: Sequence[Example]) -> list[dict[str, int]]:
    out = []
    for ex in examples:
        counts = feature_counts(ex.article.text, ex.article.title, CHAR_LIMIT)
        out.append({w.decode("utf-8", "replace"): n for w, n in counts.items()})
    return out


def fit(examples: Sequence[Example], info: dict) -> weights.LinearWeights:
    vec = DictVectorizer()
    counts = vec.fit_transform(_dicts(examples))
    keep = np.flatnonzero(np.asarray((counts > 0).sum(axis=0)).ravel() >= MIN_DF)
    counts = sparse.csr_matrix(counts[:, keep])
    tfidf = TfidfTransformer(sublinear_tf=True)
    x = tfidf.fit_transform(counts)
    y = [ex.label for ex in examples]
    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, y)
    nb = MultinomialNB(alpha=NB_ALPHA).fit(counts, y)
    assert list(nb.classes_) == list(clf.classes_)
    names = vec.get_feature_names_out()[keep]
    rows = np.hstack([clf.coef_.T, nb.feature_log_prob_.T])
    return weights.LinearWeights(
        classes=tuple(str(c) for c in clf.classes_),
        intercept=tuple(float(b) for b in clf.intercept_),
        nb_prior=tuple(float(b) for b in nb.class_log_prior_),
        nb_weight=NB_WEIGHT,
        vocab=tuple(str(n) for n in names),
        idf=tuple(float(i) for i in tfidf.idf_),
        coef=tuple(tuple(float(c) for c in row) for row in rows),
        char_limit=CHAR_LIMIT,
        info=info,
    )


def cross_validate(
    examples: list[Example], folds: int, rules: tuple[lexicon.LexiconRule, ...], seed: int = 0
) -> dict:
    labels = [ex.label for ex in examples]
    pred: list[str] = [""] * len(examples)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(examples, labels):
        clf = TopicClassifier.build(fit([examples[i] for i in train], {}), rules)
        for i in test:
            topics = clf.classify(examples[i].article)
            pred[i] = topics[0].topic.value if topics else ""
    return report(examples, pred)


def report(examples: Sequence[Example], pred: Sequence[str]) -> dict:
    idx = [i for i, ex in enumerate(examples) if ex.scored]
    gold = [examples[i].label for i in idx]
    got = [pred[i] for i in idx]
    classes = sorted(set(gold))
    per = f1_score(gold, got, labels=classes, average=None, zero_division=0)
    conflict = [pred[i] == "conflict" for i, ex in enumerate(examples) if ex.conflict_event]
    world = [pred[i] in NOT_WORLD for i, ex in enumerate(examples) if ex.world]
    return {
        "macro_f1": round(float(np.mean(per)), 4),
        "per_topic_f1": {c: round(float(f), 4) for c, f in zip(classes, per, strict=True)},
        "scored_records": len(idx),
        "conflict_primary_rate": round(sum(conflict) / max(len(conflict), 1), 4),
        "conflict_event_records": len(conflict),
        # lower is better: world news filed under economy, sport or science
        "world_as_business_sport_science": round(sum(world) / max(len(world), 1), 4),
        "world_records": len(world),
    }


def bench(path: Path, size: int = 3000, rounds: int = 5) -> dict:
    """CPU µs per `size`-character article for the shipped classifier (best of `rounds`)."""
    texts, buf = [], ""
    for line in path.open(encoding="utf-8"):
        buf += json.loads(line)["text"] + " "
        if len(buf) >= size:
            texts.append(buf[:size])
            buf = ""
    articles = [Article(id=str(i), title=t[:60], body=t) for i, t in enumerate(texts)]
    clf = TopicClassifier.load()
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for article in articles:
            clf.classify(article)
        best = min(best, (time.process_time() - start) / len(articles) * 1e6)
    return {"articles": len(articles), "chars": size, "us_per_article": round(best, 1)}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", type=Path, help="labelled JSONL (shared/data/dev/README.md format)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0, help="fold shuffling seed")
    ap.add_argument("--cv-only", action="store_true", help="report cross-validation, write nothing")
    ap.add_argument("--out", type=Path, default=weights.MODEL_PATH)
    ap.add_argument("--bench", action="store_true", help="time the shipped classifier, train nothing")
    args = ap.parse_args(argv)
    if args.bench:
        print(json.dumps(bench(args.data)))
        return 0
    rules = lexicon.load_rules()
    examples = read_examples(args.data, rules)
    cv = cross_validate(examples, args.folds, rules, args.seed)
    print(json.dumps({"cross_validation": cv, "examples": len(examples)}, indent=2))
    if not args.cv_only:
        info = {"cv_folds": args.folds, "cv": cv, "trained_on": len(examples), "C": C, "nb_alpha": NB_ALPHA}
        weights.save(fit(examples, info), args.out)
        print(f"wrote {args.out} ({args.out.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
