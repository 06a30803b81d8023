"""Pure scoring functions: no I/O, inputs are gold/predicted label sets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PRF:
    """Counts for one label; precision/recall/F1 derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def defined(self) -> bool:
        """False when the label was neither expected nor predicted anywhere."""
        return bool(self.tp or self.fp or self.fn)


def label_scores(
    pairs: Iterable[tuple[frozenset[str], frozenset[str]]], labels: Sequence[str]
) -> dict[str, PRF]:
    """Per-label counts over (gold, predicted) set pairs (multi-label)."""
    counts = {label: [0, 0, 0] for label in labels}
    for gold, pred in pairs:
        for label in labels:
            g, p = label in gold, label in pred
            c = counts[label]
            c[0] += g and p
            c[1] += p and not g
            c[2] += g and not p
    return {label: PRF(*c) for label, c in counts.items()}


def macro_f1(scores: Iterable[PRF]) -> float:
    """Mean F1 over labels that occur in gold or predictions (undefined ones skipped)."""
    f1s = [s.f1 for s in scores if s.defined]
    return sum(f1s) / len(f1s) if f1s else 0.0


def single_label_scores(pairs: Iterable[tuple[frozenset[str], str | None]]) -> dict[str, PRF]:
    """Per-class counts when one predicted label meets one or more gold labels.

    The prediction is right when it is any of the gold labels; a wrong one is an
    FP for the predicted class and an FN for every gold class.
    """
    pairs = list(pairs)
    classes = sorted({g for gold, _ in pairs for g in gold})
    return label_scores(((gold, frozenset({pred} if pred else ())) for gold, pred in pairs), classes)


@dataclass(frozen=True, slots=True)
class RegionScore:
    """Region accuracy over records with a labelled country."""

    records: int = 0
    country_hits: int = 0
    admin1_records: int = 0
    admin1_hits: int = 0
    spurious: int = 0

    @property
    def country_accuracy(self) -> float:
        return self.country_hits / self.records if self.records else 0.0

    @property
    def admin1_accuracy(self) -> float:
        return self.admin1_hits / self.admin1_records if self.admin1_records else 0.0

    @property
    def spurious_rate(self) -> float:
        return self.spurious / self.records if self.records else 0.0


def region_score(rows: Iterable[tuple[str, str | None, frozenset[str]]]) -> RegionScore:
    """Score (gold country, gold admin1 ISO code or None, predicted region codes) rows."""
    n = hits = a_n = a_hits = spurious = 0
    for country, admin1, codes in rows:
        countries = {c.split("-", 1)[0] for c in codes}
        n += 1
        hits += country in countries
        spurious += bool(countries - {country})
        if admin1:
            a_n += 1
            a_hits += admin1 in codes
    return RegionScore(n, hits, a_n, a_hits, spurious)
