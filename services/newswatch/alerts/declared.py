"""The declarative subscriptions file (NEWSWATCH_SUBSCRIPTIONS_FILE), applied to the store at start-up.

Entries are upserted by id (derived from tenant and name when absent), so
restarting with the same file changes nothing. The secret (given in the file,
else generated) is set when an entry is first created and kept afterwards, as
every update keeps it. Subscriptions created through the API are left alone.
"""

from __future__ import annotations

from pathlib import Path

from newswatch.alerts.ports import Subscription, SubscriptionStore
from newswatch.alerts.subscriptions import load_file


def apply_file(store: SubscriptionStore, path: Path | str) -> list[Subscription]:
    """Validate the whole file first (InvalidMessage: nothing applied), then upsert each entry."""
    applied = []
    for sub in load_file(path):
        saved = store.update(sub) if store.get(sub.id) is not None else store.create(sub)
        if saved is not None:
            applied.append(saved)
    return applied
