"""Every Prometheus alert explains itself and links a runbook section that exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "runbook.md"


def alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules" / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#{1,6} (.+)$", markdown, re.M)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}


def test_there_are_alerts() -> None:
    assert len(alerts()) >= 10


@pytest.mark.parametrize("rule", alerts(), ids=lambda r: r["alert"])
def test_alert_has_a_description_and_a_runbook_section(rule: dict[str, Any]) -> None:
    notes = rule["annotations"]
    assert len(notes.get("description", "")) > 40, "a sentence or two on what it means"
    path, _, anchor = notes["runbook_url"].partition("#")
    assert path == "docs/runbook.md"
    assert anchor == rule["alert"].lower()
    sections = anchors(RUNBOOK.read_text(encoding="utf-8"))
    assert anchor in sections, f"no section {rule['alert']} in the runbook"


def test_runbook_links_within_the_docs_resolve() -> None:
    text = RUNBOOK.read_text(encoding="utf-8")
    for target, anchor in re.findall(r"\]\((\w[\w./-]*\.md)#([\w-]+)\)", text):
        doc = RUNBOOK.parent / target
        assert doc.is_file(), target
        assert anchor in anchors(doc.read_text(encoding="utf-8")), f"{target}#{anchor}"
