"""The one boolean parser every configuration class uses."""

from __future__ import annotations

import pytest

from newswatch.options import flag


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),  # surrounding spaces are ignored
        ("0", False),
        ("False", False),
        ("no", False),
        ("off", False),
        ("", False),  # empty is unset: off
    ],
)
def test_flag_spellings(raw: str, expected: bool) -> None:
    assert flag(raw) is expected


@pytest.mark.parametrize("raw", ["2", "maybe", "enabled", "y"])
def test_flag_refuses_what_it_cannot_read(raw: str) -> None:
    with pytest.raises(ValueError, match="expected a boolean"):
        flag(raw)
