"""Progress bars on stderr for the commands that work through a file (analyze, eval, publish).

A bar shows the count, the total when it is known, the rate and the time left. Messages about
single lines go through `Progress.note`, which prints them above the bar instead of into it.
`mode` is the commands' `--progress`: "auto" shows a bar only when stderr is a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

from tqdm import tqdm

T = TypeVar("T")
MODES = ("auto", "always", "never")
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]"
BAR_FORMAT_NO_TOTAL = "{desc}: {n_fmt} [{elapsed}, {rate_fmt}]"


def add_progress_option(parser: object) -> None:
    parser.add_argument(  # type: ignore[attr-defined]
        "--progress",
        choices=MODES,
        default="auto",
        help="progress bar on stderr: auto (when stderr is a terminal, the default), always or never",
    )


def count_lines(path: str) -> int | None:
    """Lines in the file at `path` (the bar's total); None for stdin, which cannot be read twice."""
    if path == "-":
        return None
    count = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


class Progress:
    """Wraps an iterable in a bar (or not); `note(text)` prints a line on stderr either way."""

    def __init__(
        self, mode: str, desc: str, unit: str, total: int | None, err: IO[str] | None = None
    ) -> None:
        self._err = err or sys.stderr
        show = mode == "always" or (mode == "auto" and self._err.isatty())
        self._bar: tqdm | None = (
            tqdm(
                total=total,
                desc=desc,
                unit=f" {unit}",
                file=self._err,
                dynamic_ncols=True,
                mininterval=0.2,
                bar_format=BAR_FORMAT if total is not None else BAR_FORMAT_NO_TOTAL,
            )
            if show
            else None
        )

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            yield item
            if self._bar is not None:
                self._bar.update(1)

    def note(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=self._err)
        else:
            print(text, file=self._err)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
