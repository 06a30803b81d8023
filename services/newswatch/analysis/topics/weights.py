"""The learned part of the topic classifier: two linear models over word features.

`scripts/train_topics.py` fits them on labelled records and writes them with
`save`; the package ships the result as `model.json.gz` (vocabulary, idf and
per-class weights only, no training text). Features are body words plus
`t:`-prefixed title words. A logistic regression reads them as L2-normalised
sublinear TF-IDF; a multinomial naive Bayes reads raw counts. The model's
log-probability is `log p_lr + nb_weight * log p_nb`, renormalised: the two
err on different short texts, so the blend beats either alone.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT_VERSION = 2
TITLE_PREFIX = "t:"
MODEL_PATH = Path(__file__).with_name("model.json.gz")


@dataclass(frozen=True, slots=True)
class LinearWeights:
    """`coef[feature]` holds the regression weight of each class, then the NB log-probability of each."""

    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    nb_prior: tuple[float, ...]
    nb_weight: float
    vocab: tuple[str, ...]
    idf: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]
    char_limit: int
    info: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "classes": list(self.classes),
            "intercept": [round(b, 4) for b in self.intercept],
            "nb_prior": [round(b, 4) for b in self.nb_prior],
            "nb_weight": self.nb_weight,
            "char_limit": self.char_limit,
            "info": self.info,
            "features": {w: [round(i, 4), *(round(c, 4) for c in cs)] for w, i, cs in _rows(self)},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LinearWeights:
        if d.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported topic model format {d.get('format')!r}")
        feats = d["features"]
        return cls(
            classes=tuple(d["classes"]),
            intercept=tuple(d["intercept"]),
            nb_prior=tuple(d["nb_prior"]),
            nb_weight=float(d["nb_weight"]),
            vocab=tuple(feats),
            idf=tuple(v[0] for v in feats.values()),
            coef=tuple(tuple(v[1:]) for v in feats.values()),
            char_limit=int(d["char_limit"]),
            info=dict(d.get("info") or {}),
        )


def _rows(w: LinearWeights) -> list[tuple[str, float, tuple[float, ...]]]:
    return list(zip(w.vocab, w.idf, w.coef, strict=True))


def load(path: Path = MODEL_PATH) -> LinearWeights:
    """Read a model written by `save` (raises OSError, ValueError on a bad file)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return LinearWeights.from_json(json.load(fh))


def save(weights: LinearWeights, path: Path = MODEL_PATH) -> None:
    # mtime=0 keeps the file byte-identical across identical trainings.
    raw = json.dumps(weights.to_json(), separators=(",", ":"), sort_keys=True).encode("utf-8")
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(raw)
