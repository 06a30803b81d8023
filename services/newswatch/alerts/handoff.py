"""Handing drafts to delivery: store each alert, then enqueue it (the runtime's edge).

    for alert_id in hand_off(outcome.alerts, planner.tenant_of, alert_store, now):
        dispatcher.enqueue(alert_id)

An alert already stored (the article was redelivered, or a replica planned
the same story) is enqueued again only while still pending: its earlier
enqueue may have been lost in a crash, and delivery is idempotent by id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from newswatch.alerts.ports import AlertKind, AlertRecord, AlertStatus, AlertStore
from newswatch.domain.outcome import AlertDraft


def to_record(draft: AlertDraft, tenant: str, now: datetime) -> AlertRecord:
    data = draft.payload.get("data", {})
    return AlertRecord(
        id=draft.id,
        subscription_id=draft.subscription_id,
        tenant=tenant,
        kind=AlertKind(draft.kind),
        story_id=data.get("story_id", ""),
        revision=int(data.get("revision", 0)),
        payload=draft.payload,
        status=AlertStatus.PENDING,
        created_at=now,
    )


def hand_off(
    drafts: Iterable[AlertDraft], tenant_of: Callable[[str], str | None], store: AlertStore, now: datetime
) -> list[str]:
    """Store the drafts; return the ids to enqueue for delivery, in order."""
    to_enqueue = []
    for draft in drafts:
        tenant = tenant_of(draft.subscription_id)
        if tenant is None:  # subscription deleted meanwhile: nobody to tell
            continue
        if store.put(to_record(draft, tenant, now)):
            to_enqueue.append(draft.id)
            continue
        existing = store.get(draft.id)
        if existing is not None and existing.status is AlertStatus.PENDING:
            to_enqueue.append(draft.id)
    return to_enqueue
