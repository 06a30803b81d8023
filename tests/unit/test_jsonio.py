"""The integer bound of contracts/jsonio.py: only integer literals of 20+ digits are refused, and the
text is scanned only when the parsed value could hold one."""

from __future__ import annotations

import pytest

from newswatch.contracts import jsonio
from newswatch.domain.errors import InvalidMessage


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        (b'{"n": 1234567890123456789}', False),  # 19 digits: fits
        (b'{"n": 12345678901234567890}', True),  # 20 digits, still a u64 for orjson
        (b'{"n": -12345678901234567890}', True),  # negative
        (b'{"n": 123456789012345678901234567890}', True),  # parsed as a float by orjson
        (b'{"a": [[{"b": [12345678901234567890]}]]}', True),  # deep inside
        (b'{"n": "12345678901234567890"}', False),  # digits in a string are text
        (b'{"n": 12345678901234567890.5}', False),  # a fraction: a float on purpose
        (b'{"n": 1e25}', False),  # an exponent: a float on purpose
        (b'{"n": 1.5e300, "s": "12345678901234567890"}', False),  # a huge float beside digits in text
        (b'{"n": true, "m": null, "l": []}', False),
    ],
)
def test_long_integer_literals_are_refused(text: bytes, refused: bool) -> None:
    if refused:
        with pytest.raises(InvalidMessage) as caught:
            jsonio.loads(text)
        assert caught.value.reason == "decode_error" and "digits" in caught.value.detail
    else:
        jsonio.loads(text)


def test_no_text_scan_without_a_huge_number(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tripwire:
        def search(self, data: bytes) -> None:
            raise AssertionError("scanned")

    monkeypatch.setattr(jsonio, "_LONG_DIGITS", Tripwire())
    jsonio.loads(b'{"id": "a", "body": "Call 12345678901234567890 now", "n": 42, "f": 1.5}')
