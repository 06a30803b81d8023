# Stub for the C extension `_sums.c` (built into compiled wheels only; see native.py).
# matrix and tf: any C-contiguous float64 buffer; numpy arrays here.
import numpy as np
import numpy.typing as npt

class Sums:
    def __init__(
        self,
        index: dict[bytes, int],
        matrix: npt.NDArray[np.float64],
        rows: int,
        cols: int,
        classes: int,
        tf: npt.NDArray[np.float64],
        prefix: bytes,
    ) -> None: ...
    def __call__(self, body: bytes, title: bytes | None = None) -> list[float]: ...
