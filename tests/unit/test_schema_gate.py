"""The compiled article gate gives jsonschema's answers (jsonschema stays the reference)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswatch.contracts.schemas import gate, schema_errors

URI_CASES = (
    "https://news.example.org/2024/05/01/story?id=7#top",
    "http://example.com",
    "urn:isbn:0451450523",
    "mailto:desk@example.org",
    "ftp://files.example.net/a%20b.txt",
    "example.com/no-scheme",
    "//example.com/path",
    "http://exa mple.com",
    "not a uri",
    "http://[::1]:8080/x",
    "https://example.com/ünicode",
    "",
    "1http://x",
    "a:b",
)
DATE_CASES = (
    "2024-05-01T08:00:00Z",
    "2024-05-01T08:00:00.123+02:00",
    "2024-05-01t08:00:00z",
    "2024-05-01 08:00:00Z",
    "2024-05-01",
    "2024-13-01T08:00:00Z",
    "2024-02-30T08:00:00Z",
    "2024-05-01T25:00:00Z",
    "2024-05-01T08:00:00",
    "yesterday",
    "",
)
URIS, DATES = st.sampled_from(URI_CASES), st.sampled_from(DATE_CASES)
LANGS = st.one_of(
    st.sampled_from(["en", "uk", "eng", "en-GB", "pt-BR", "EN", "e", "en_GB", ""]), st.text(max_size=6)
)
ANY_VALUE = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2))


def _optional(key: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), values.map(lambda v: {key: v}), ANY_VALUE.map(lambda v: {key: v}))


ARTICLES = st.builds(
    lambda base, *parts: {k: v for part in (base, *parts) for k, v in part.items()},
    # Mostly valid ids and bodies, so that the other fields decide the answer.
    st.one_of(
        st.just({"id": "a-1", "body": "Text."}),
        st.fixed_dictionaries(
            {},
            optional={
                "id": st.one_of(st.text(max_size=3), st.text(min_size=510, max_size=515), ANY_VALUE),
                "body": st.one_of(st.text(max_size=20), ANY_VALUE),
            },
        ),
    ),
    _optional("url", URIS),
    _optional("published_at", DATES),
    _optional("language", LANGS),
    _optional("title", st.text(max_size=10)),
    _optional("metadata", st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
    st.one_of(st.just({}), st.just({"extra": 1})),
)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(ARTICLES)
def test_gate_agrees_with_jsonschema(obj: dict[str, Any]) -> None:
    assert gate("article")(obj) == (schema_errors("article", obj) == []), obj


@pytest.mark.parametrize(
    "field",
    [*({"url": u} for u in URI_CASES), *({"published_at": d} for d in DATE_CASES), {"language": "EN"}],
    ids=repr,
)
def test_gate_agrees_on_each_format_case(field: dict[str, str]) -> None:
    obj = {"id": "a-1", "body": "Text.", **field}
    assert gate("article")(obj) == (schema_errors("article", obj) == [])


def test_gate_is_only_compiled_for_draft7_compatible_schemas() -> None:
    # The alert schema uses 2020-12 keywords: its gate is jsonschema's own check.
    assert gate("alert").__qualname__.endswith("is_valid")
    assert gate("article").__qualname__ != gate("alert").__qualname__
