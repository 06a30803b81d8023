"""What a chaos run counts, and whether it met the targets (pure: the runners gather the inputs).

Articles: accepted (the API or the producer acknowledged them) against analysed (an analysis
exists). Alerts, each identified by (subscription, story, revision):
- planned: what the planner recorded as sent (its notices) plus every alert stored;
- stored: in the alert store;
- delivered: at least one receipt at the receiver with a verified signature;
- duplicated: receipts beyond the first of a webhook-id;
- split: alerts received under more than one webhook-id (a duplicate that a receiver could not
  recognise); must be 0, like every loss.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

AlertKey = tuple[str, str, int]  # (subscription id, story id, revision)


@dataclass(frozen=True, slots=True)
class Receipt:
    """One POST at the receiver: its webhook-id header and, when the signature verified, the alert."""

    webhook_id: str
    key: AlertKey | None


@dataclass
class Report:
    name: str
    accepted: int
    analysed: int
    articles_lost: int
    planned: int
    stored: int
    delivered: int
    duplicated: int
    alerts_lost: int
    undelivered: int
    split: int
    unverified: int
    faults: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def ok(self) -> bool:
        return not (
            self.articles_lost or self.alerts_lost or self.undelivered or self.split or self.unverified
        )

    def lines(self) -> list[str]:
        faults = ", ".join(f"{k} {v}" for k, v in self.faults.items()) or "none"
        return [
            f"== {self.name}: {'OK' if self.ok() else 'FAILED'}",
            f"faults injected: {faults}",
            f"articles: accepted {self.accepted}, analysed {self.analysed}, lost {self.articles_lost}",
            f"alerts: planned {self.planned}, stored {self.stored}, delivered {self.delivered}, "
            f"duplicated {self.duplicated} (all under their own webhook-id: {'no' if self.split else 'yes'})",
            f"alerts lost {self.alerts_lost}, stored but undelivered {self.undelivered}, "
            f"split across webhook-ids {self.split}, unverified receipts {self.unverified}",
            *self.notes,
        ]


def summarize(
    name: str,
    accepted: Iterable[str],
    analysed: Iterable[str],
    noticed: Iterable[AlertKey],
    stored: Iterable[AlertKey],
    receipts: Iterable[Receipt],
    faults: dict[str, int] | None = None,
) -> Report:
    accepted_ids, analysed_ids = set(accepted), set(analysed)
    noticed_keys, stored_keys = set(noticed), set(stored)
    receipts = list(receipts)
    by_id = Counter(r.webhook_id for r in receipts)
    ids_of: dict[AlertKey, set[str]] = defaultdict(set)
    for r in receipts:
        if r.key is not None:
            ids_of[r.key].add(r.webhook_id)
    delivered = set(ids_of)
    return Report(
        name=name,
        accepted=len(accepted_ids),
        analysed=len(analysed_ids & accepted_ids),
        articles_lost=len(accepted_ids - analysed_ids),
        planned=len(noticed_keys | stored_keys),
        stored=len(stored_keys),
        delivered=len(delivered),
        duplicated=sum(n - 1 for n in by_id.values()),
        alerts_lost=len(noticed_keys - stored_keys),
        undelivered=len(stored_keys - delivered),
        split=sum(1 for ids in ids_of.values() if len(ids) > 1),
        unverified=sum(1 for r in receipts if r.key is None),
        faults=dict(faults or {}),
    )
