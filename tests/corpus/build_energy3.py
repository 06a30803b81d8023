"""Expand the hand-labelled sheets raw/energy3_*.txt into news_energy3.jsonl.

Sheet syntax is build_energy2.py's (11 fields a line after an `@ <repo> <commit> <path>` source
line), with two shorthands that keep the sheets short:

- date `=` stands for the day folder of the source path (`.../2024-03-29/...`);
- links `rt:<path>` and `aj:<path>` expand to the RT and Al Jazeera feed URLs exactly as the
  feed files give them (see build_border2.expand_link).

Items whose link or normalised title is already in another news_*.jsonl file, or earlier in the
sheets, are dropped (first copy wins).
"""

from __future__ import annotations

from pathlib import Path

from build_border2 import expand_link
from build_energy2 import parse as parse_sheet
from build_energy2 import write_unseen
from sheet_codes import DATE

HERE = Path(__file__).resolve().parent
OUT = HERE / "news_energy3.jsonl"
SHEETS = "energy3_*.txt"


def expand_sheet(text: str) -> str:
    """The sheet with its shorthands written out, in build_energy2's plain syntax."""
    lines = []
    day = None
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("@ "):
            m = DATE.search("/" + line.split(" ")[3])
            day = m.group(1) if m else None
        elif line.strip() and not line.startswith("#"):
            fields = line.split(" ~~ ")
            if len(fields) > 2:
                if fields[0].strip() == "=":
                    if day is None:
                        raise ValueError(f"line {n}: date '=' but no day folder in the source path")
                    fields[0] = day
                fields[2] = expand_link(fields[2].strip())
                line = " ~~ ".join(fields)
        lines.append(line)
    return "\n".join(lines) + "\n"


def records(sheets: list[Path], tmp: Path) -> list[dict]:
    out: list[dict] = []
    for sheet in sheets:
        tmp.write_text(expand_sheet(sheet.read_text(encoding="utf-8")), encoding="utf-8")
        try:
            out.extend(parse_sheet(tmp))
        except ValueError as exc:
            raise ValueError(f"{sheet.name}: {exc}") from exc
    tmp.unlink()
    return out


def build(pattern: str, out_path: Path) -> int:
    tmp = HERE / "raw" / f".{out_path.stem}.expanded"
    return write_unseen(records(sorted((HERE / "raw").glob(pattern)), tmp), out_path)


def main() -> int:
    return build(SHEETS, OUT)


if __name__ == "__main__":
    raise SystemExit(main())
