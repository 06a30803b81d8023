"""The learned part of the topic classifier: a linear model over word features.

`scripts/train_topics.py` fits it on labelled records and writes it with
`save`; the package ships the result as `model.json.gz` (vocabulary, idf and
per-class weights only, no training text). Features are sublinear TF-IDF of
body words plus `t:`-prefixed title words, L2-normalised.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
TITLE_PREFIX = "t:"
MODEL_PATH = Path(__file__).with_name("model.json.gz")


@dataclass(frozen=True, slots=True)
class LinearWeights:
    """Multinomial logistic regression: `coef[feature][k]` for `classes[k]`."""

    classes: tuple[str, ...]
    intercept: tuple[float, ...]
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
