"""Fit the event confirmer (services/newswatch/analysis/events/confirm.py) and write its weights.

    PYTHONPATH=services python scripts/train_confirmer.py [--dev ../shared/data/dev/dev.jsonl]
        [--corpus tests/corpus/*.jsonl] [--out services/newswatch/analysis/rules/events/confirmer.json]

Training data: every event the rules propose (before the confirmer and the time frame) on the
event-labelled records of dev and of the corpus' TRAINING part (the frozen test part, 35 % by
hash of the id, is filtered out here and never read); a proposal is positive when the record is
labelled with its type. The model: L2 logistic regression (scikit-learn, liblinear, fixed seed)
over the hashed features of `confirm.event_features`: words, word pairs, rule slug, attributes,
the event's place and whether the actor is abroad, and the cue classes (phrase sets) hit in the
sentence and in the whole article. The bars are chosen per type on out-of-fold probabilities
(5 folds grouped by record, repeated): for the broad `candidate` rules and, for the key types,
for the precise rules, the pair that gives the type its best F-beta (beta < 1: a false alarm
weighs more than a miss) over the training records. Only numbers are written, no text.

    --cv K  writes nothing and prints the whole detector's held-out figures instead: the records
            are split in K folds, the confirmer is fitted without each fold and that fold analysed.

scikit-learn and scipy are needed here only (the `dev` extra), not at inference.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import io
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

from newswatch.analysis.eval.records import LabelledRecord, read_records
from newswatch.analysis.eval.runner import KEY_TYPES
from newswatch.analysis.eval.split import is_test
from newswatch.analysis.events.confirm import CANDIDATE_MARK, Confirmer, event_features, hashed
from newswatch.analysis.events.detector import EventDetector
from newswatch.analysis.events.rules import RuleSet, load_rules
from newswatch.analysis.regions import RegionResolver
from newswatch.domain.model import CONFLICT_EVENT_TYPES

SEED = 20240601
DIM = 1 << 18
C = 1.0
THRESHOLD = 0.5
MIN_PROPOSALS = 20  # fewer proposals of a type than this: its precise rules are not second-guessed
CANDIDATE_PRECISION = 0.9
# The types whose precise rules the model may second-guess: the two key types. The others'
# negatives are too few, or mostly labelling conventions (`strike` only when neither strike on
# power nor on infrastructure is labelled, which the detector's `unless` applies already), for
# the model to judge their sentences: it turned down plain reports such as a blackout after a
# substation fault.
JUDGEABLE_TYPES = frozenset({"border_crossing", "power_plant_strike"})
FALSE_ALARM_COST = 2
# The corpus is labelled to the current guide (outage-told strikes, raids into a neighbour's
# border region count); some of dev's older headline labels read the types more narrowly.
CORPUS_WEIGHT = 3.0
# The candidates' bar maximises F-beta: below 1, a false alarm weighs more than a miss
# (subscribers are alerted on every event; the hard negatives must stay quiet).
BETA = 0.6
MIN_CANDIDATE_RECORDS = 15  # fewer records with a type's candidates: the shared bar applies
REPEATS = 3  # cross-validation repeats whose out-of-fold probabilities the bars are chosen on
PRUNE = 0.02  # weights smaller than this are left out of the file (they move no decision)
ROOT = Path(__file__).resolve().parents[1]
# ../shared from the main checkout, ../../shared from a worktree under wt/
DEFAULT_DEV = next(
    (
        p
        for p in (ROOT.parent / "shared/data/dev/dev.jsonl", ROOT.parents[1] / "shared/data/dev/dev.jsonl")
        if p.exists()
    ),
    ROOT.parent / "shared/data/dev/dev.jsonl",
)
# The types dev and the corpus label; the others (protest, natural_disaster, cyberattack) are
# not labelled there, so no proposal of theirs is judged.
LABELLED_TYPES = frozenset(t.value for t in CONFLICT_EVENT_TYPES)
DEFAULT_OUT = ROOT / "services/newswatch/analysis/rules/events/confirmer.json"


def training_records(dev: Path | None, corpus: list[str]) -> list[LabelledRecord]:
    out: list[LabelledRecord] = []
    if dev is not None:
        with dev.open(encoding="utf-8") as fh:
            out += [r for r in read_records(fh) if r.events_labeled]
    for name in corpus:
        with open(name, encoding="utf-8") as fh:
            # The frozen test part is dropped before anything else looks at a record.
            out += [r for r in read_records(fh) if r.events_labeled and not is_test(r.id)]
    return out


Row = tuple[list[int], int, str, str, float, str]  # hashed features, label, type, slug, weight, record


def proposals_by_record(
    records: list[LabelledRecord], dev_ids: frozenset[str], rules: RuleSet, regions: RegionResolver
) -> dict[str, list[Row]]:
    """Every labelled-type proposal of each record, placed as in the service (features read the place)."""
    detector = EventDetector(rules, timeframe=False, confirmer=None)
    out: dict[str, list[Row]] = {}
    for r in records:
        text = r.article.text
        rows = out.setdefault(r.id, [])
        for e, context in detector.proposals_in_context(text, regions.resolve(text).locate):
            t = e.type.value
            if t not in LABELLED_TYPES:
                continue
            weight = 1.0 if r.id in dev_ids else CORPUS_WEIGHT
            features = hashed(event_features(e, context), DIM)
            rows.append((features, int(t in r.events), t, e.rule, weight, r.id))
    return out


def labelled_types(records: list[LabelledRecord]) -> Counter[str]:
    return Counter(t for r in records for t in r.events)


def flatten(per_record: dict[str, list[Row]], records: list[LabelledRecord]) -> list[Row]:
    return [row for r in records for row in per_record[r.id]]


def matrix(rows: list[list[int]]) -> sparse.csr_matrix:
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float64)
    m = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), DIM))
    m.sum_duplicates()
    m.data = np.minimum(m.data, 1.0)  # presence, not counts
    return m


def model() -> LogisticRegression:
    return LogisticRegression(C=C, solver="liblinear", fit_intercept=False, random_state=SEED, max_iter=1000)


def candidate_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The threshold for the broad proposals: the lowest whose cross-validated precision reaches
    CANDIDATE_PRECISION; failing that, the one with the best gain when a false alarm costs
    FALSE_ALARM_COST misses (they add recall, they must not cost the rules' precision); none
    with a gain: off (above 1)."""
    print(f"  candidates: {len(y)}, positive {int(y.sum())}")
    best, best_gain = 1.01, 0.0
    for t in np.arange(THRESHOLD, 0.96, 0.05):
        kept = p >= t
        tp, fp = int(y[kept].sum()), int((1 - y[kept]).sum())
        prec = tp / (tp + fp) if tp + fp else 1.0
        print(f"    threshold {t:.2f}: kept {tp + fp}, positive {tp}, precision {prec:.3f}")
        if tp and prec >= CANDIDATE_PRECISION:
            return round(float(t), 2)
        if tp - FALSE_ALARM_COST * fp > best_gain:
            best, best_gain = round(float(t), 2), tp - FALSE_ALARM_COST * fp
    return best


def type_thresholds(
    p: np.ndarray, table: list[Row], labelled: Counter[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Per type, the bars for its broad proposals and (key types only) for its precise rules'
    proposals that give the type its best F-beta over the training records (`labelled`: how
    many records carry each type). A record counts once per type: found when one of its
    proposals clears its bar (`p` are cross-validated probabilities). A precise bar of 0 keeps
    every precise proposal, a candidate bar above 1 keeps none."""
    best_c: dict[tuple[str, str], float] = {}
    best_r: dict[tuple[str, str], float] = {}
    label: dict[tuple[str, str], int] = {}
    for i, row in enumerate(table):
        key = (row[2], row[5])
        label[key] = row[1]
        side = best_c if CANDIDATE_MARK in row[3] else best_r
        side[key] = max(side.get(key, 0.0), float(p[i]))
    b2 = BETA * BETA
    cand_bars: dict[str, float] = {}
    precise_bars: dict[str, float] = {}
    for t in sorted({k[0] for k in label}):
        keys = [k for k in label if k[0] == t]
        with_cand = sum(1 for k in keys if k in best_c)
        judge_precise = t in JUDGEABLE_TYPES and sum(1 for k in keys if k in best_r) >= MIN_PROPOSALS
        if (with_cand < MIN_CANDIDATE_RECORDS and not judge_precise) or not labelled[t]:
            continue
        c_grid = [*np.arange(0.3, 0.96, 0.05), 1.01] if with_cand >= MIN_CANDIDATE_RECORDS else [1.01]
        r_grid = [0.0, *np.arange(0.1, 0.61, 0.05)] if judge_precise else [0.0]
        best, best_score = (1.01, 0.0), -1.0
        for rb in r_grid:
            for cb in c_grid:
                kept = [k for k in keys if best_r.get(k, -1.0) >= rb or best_c.get(k, -1.0) >= cb]
                tp = sum(label[k] for k in kept)
                fp = len(kept) - tp
                score = (1 + b2) * tp / ((1 + b2) * tp + fp + b2 * (labelled[t] - tp)) if tp else 0.0
                if score > best_score + 1e-9:
                    best, best_score = (round(float(cb), 2), round(float(rb), 2)), score
        if with_cand >= MIN_CANDIDATE_RECORDS:
            cand_bars[t] = best[0]
        if best[1] > 0:
            precise_bars[t] = best[1]
        print(f"  {t}: candidate bar {best[0]}, precise bar {best[1]} (F-beta {best_score:.3f})")
    return cand_bars, precise_bars


def fit(table: list[Row], labelled: Counter[str]) -> dict[str, object]:
    """The confirmer's document: thresholds chosen by 5-fold cross-validation grouped by record
    (a record's proposals are held out together), weights fitted on all rows."""
    rows = [t[0] for t in table]
    slugs = [t[3] for t in table]
    groups = [t[5] for t in table]
    fit_params = {"sample_weight": np.array([t[4] for t in table])}
    x, y = matrix(rows), np.array([t[1] for t in table])
    # Out-of-fold probabilities averaged over REPEATS shuffles: the bars read a smoother curve.
    p = np.zeros(len(y))
    for r in range(REPEATS):
        folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=SEED + r)
        oof = cross_val_predict(
            model(), x, y, cv=folds, groups=groups, method="predict_proba", params=fit_params
        )
        p += oof[:, 1] / REPEATS
    cand = [i for i, s in enumerate(slugs) if CANDIDATE_MARK in s]
    cand_threshold = candidate_threshold(y[cand], p[cand])
    per_type, precise_bars = type_thresholds(p, table, labelled)
    types_judged = sorted(precise_bars)
    final = model().fit(x, y, **fit_params)
    coef = final.coef_[0]
    weights = {str(i): round(float(coef[i]), 4) for i in np.flatnonzero(np.abs(coef) >= PRUNE)}
    return {
        "version": 1,
        "about": "event confirmer weights: hashed sentence words, word pairs and rule slug per event type; "
        "written by scripts/train_confirmer.py",
        "seed": SEED,
        "dim": DIM,
        "threshold": THRESHOLD,
        "candidate_threshold": cand_threshold,
        "candidate_thresholds": per_type,
        "thresholds": precise_bars,
        "types": types_judged,
        "training": {"proposals": len(table), "positive": int(y.sum())},
        "weights": weights,
    }


def cross_validate(records: list[LabelledRecord], dev_ids: frozenset[str], folds: int) -> None:
    """Held-out figures of the whole detector: records (not proposals) are split into folds by
    hash of the id, the confirmer is fitted without a fold and that fold analysed with it, so
    the figures say how the confirmer does on items it never saw. Dev and corpus apart."""
    from newswatch.analysis.engine import Analyzer
    from newswatch.analysis.eval.runner import REPORTED, evaluate

    rules = load_rules()
    regions = RegionResolver.load()
    per_record = proposals_by_record(records, dev_ids, rules, regions)
    fold_of = {r.id: int(hashlib.sha256(("cv" + r.id).encode()).hexdigest()[:8], 16) % folds for r in records}
    pairs = []
    for k in range(folds):
        train = [r for r in records if fold_of[r.id] != k]
        with contextlib.redirect_stdout(io.StringIO()):
            doc = fit(flatten(per_record, train), labelled_types(train))
        confirmer = Confirmer.from_document(doc)
        analyzer = Analyzer(events=EventDetector(rules, confirmer=confirmer), regions=regions)
        pairs += [(r, analyzer.analyze(r.article)) for r in records if fold_of[r.id] == k]
        print(
            f"  fold {k}: candidate thresholds {doc['candidate_threshold']} {doc['candidate_thresholds']},"
            f" judged {doc['types']}",
            flush=True,
        )
    for name, chosen in (
        ("dev", [(r, a) for r, a in pairs if r.id in dev_ids]),
        ("corpus train part", [(r, a) for r, a in pairs if r.id not in dev_ids]),
    ):
        res = evaluate(chosen)
        print(f"== {folds}-fold held-out, {name}, reported only ==")
        for view, v in res.views[REPORTED].items():
            key = "  ".join(
                f"{t} {s.precision:.3f}/{s.recall:.3f} ({s.tp}/{s.fp}/{s.fn})"
                for t, s in ((t, v.key[t]) for t in KEY_TYPES)
            )
            hn = v.hard_negative_fires
            print(
                f"  {view:<20} n={v.records:<5} {key}  macroF1 {v.conflict_macro_f1:.3f}"
                f"  loc {v.location_country.value:.3f}  sub {v.subdivision_in_regions.value:.3f}"
                f"  hn {hn.value:.3f} ({hn.hits}/{hn.n})"
            )
        print("  per type:", "  ".join(f"{t} {s.f1:.2f}" for t, s in res.events.items() if s.support))
        wrong = Counter(
            f"{'candidate' if CANDIDATE_MARK in e.rule else 'precise'} {e.type.value}"
            for r, a in chosen
            for e in a.reported_events
            if e.type.value in KEY_TYPES and e.type.value not in r.events
        )
        print("  key-type false alarms by kind of rule:", dict(sorted(wrong.items())))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--corpus", nargs="*", default=sorted(glob.glob(str(ROOT / "tests/corpus/*.jsonl"))))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument(
        "--cv",
        type=int,
        metavar="K",
        help="write nothing; print the detector's K-fold held-out figures on the training records",
    )
    args = ap.parse_args(argv)
    records = training_records(args.dev, args.corpus)
    with args.dev.open(encoding="utf-8") as fh:
        dev_ids = frozenset(r.id for r in read_records(fh))
    if args.cv:
        cross_validate(records, dev_ids, args.cv)
        return 0
    per_record = proposals_by_record(records, dev_ids, load_rules(), RegionResolver.load())
    table = flatten(per_record, records)
    print(f"{len(records)} training records, {len(table)} proposals, {sum(t[1] for t in table)} positive")
    print("  by type (proposals):", dict(sorted(Counter(t[2] for t in table).items())))
    doc = fit(table, labelled_types(records))
    doc["training"] = {"records": len(records), **doc["training"]}  # type: ignore[dict-item]
    args.out.write_text(json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"judged types: {doc['types']}; candidate threshold {doc['candidate_threshold']};"
        f" {len(doc['weights'])} weights -> {args.out}"  # type: ignore[arg-type]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
