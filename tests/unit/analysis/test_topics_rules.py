"""Topic lexicon rule files: schema-validated, one per topic, all 17 covered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newswatch.analysis.topics.lexicon import RULES_DIR, LexiconError, load_rules
from newswatch.domain.model import Topic


def test_shipped_rules_cover_every_topic_once() -> None:
    rules = load_rules()
    assert sorted(r.topic for r in rules) == sorted(Topic)
    assert len({r.slug for r in rules}) == len(rules)


# (case, file name, file text, message fragment)
BAD_FILES = [
    ("missing terms", "weather.yaml", "slug: topic-weather\ntopic: weather\ndescription: d\n", "terms"),
    (
        "multi-word term",
        "weather.yaml",
        "slug: topic-weather\ntopic: weather\ndescription: d\nterms: [a b, c, d, e, f, g, h, i, j, k]\n",
        "does not match",
    ),
    (
        "unknown topic",
        "weather.yaml",
        "slug: topic-weather\ntopic: gossip\ndescription: d\nterms: [a, b, c, d, e, f, g, h, i, j]\n",
        "gossip",
    ),
    (
        "second rule for a topic",
        "extra.yaml",
        "slug: topic-extra\ntopic: sport\ndescription: d\nterms: [a, b, c, d, e, f, g, h, i, j]\n",
        "duplicate",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "fragment"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_rule_file_is_rejected_at_load(tmp_path: Path, name: str, text: str, fragment: str) -> None:
    rules_dir = tmp_path / "topics"
    shutil.copytree(RULES_DIR, rules_dir)
    (rules_dir / name).write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match=fragment):
        load_rules(rules_dir)


def test_missing_topic_is_rejected(tmp_path: Path) -> None:
    rules_dir = tmp_path / "topics"
    shutil.copytree(RULES_DIR, rules_dir)
    (rules_dir / "weather.yaml").unlink()
    with pytest.raises(LexiconError, match="weather"):
        load_rules(rules_dir)
