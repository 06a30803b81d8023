"""The per-article feature sums in C (`_sums.c`), when the installed build has them.

A wheel built with a C compiler (hatch_build.py) ships the extension; editable and
pure-Python installs do not, and `native_sums` returns None so the classifier sums
with numpy (`table.column_sums`): same figures up to float rounding.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from newswatch.analysis.topics.table import FeatureTable
from newswatch.analysis.topics.weights import TITLE_PREFIX

# (lower-cased body bytes, title bytes or None) -> one sum per matrix column
SumsFn = Callable[[bytes, bytes | None], list[float]]


def native_sums(table: FeatureTable) -> SumsFn | None:
    """The C sums over `table` (a copy of its index, a view of its matrix), or None without the extension."""
    try:
        from newswatch.analysis.topics._sums import Sums
    except ImportError:
        return None
    matrix = np.ascontiguousarray(table.matrix, dtype=np.float64)
    rows, cols = matrix.shape
    return Sums(
        index=table.index,
        matrix=matrix,
        rows=rows,
        cols=cols,
        classes=table.n_classes,
        tf=np.ascontiguousarray(table.tf[:, 1], dtype=np.float64),
        prefix=TITLE_PREFIX.encode("utf-8"),
    )
