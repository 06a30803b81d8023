"""Standard Webhooks signing: the exact bytes we send and the headers that sign them.

`webhook-id` is the alert id, stable across retries and replays, so a
receiver can drop duplicates; `webhook-timestamp` is the send time (receivers
reject stale ones), so each attempt is signed afresh over the same body. While a rotated
secret's overlap lasts, `webhook-signature` carries one signature per secret, space-separated
(Standard Webhooks allows several), so a receiver holding either secret verifies the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

SIGNATURE_HEADERS = frozenset({"webhook-id", "webhook-timestamp", "webhook-signature"})
# Headers the transport or the signature depend on: a subscriber's extra headers cannot set them.
RESERVED = SIGNATURE_HEADERS | {"host", "content-length", "content-type", "transfer-encoding", "connection"}


def encode_body(payload: Mapping[str, Any]) -> bytes:
    """The alert.v1 body as compact UTF-8 JSON; the same payload always gives the same bytes."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def signed_headers(
    secret: str | Sequence[str],
    msg_id: str,
    body: bytes,
    now: datetime,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Headers for one attempt: the subscriber's extra headers, then ours (which always win).

    `secret` is one secret or several (current first): each adds a signature.
    """
    secrets = [secret] if isinstance(secret, str) else list(secret)
    data = body.decode()
    signature = " ".join(Webhook(s).sign(msg_id=msg_id, timestamp=now, data=data) for s in secrets)
    headers = {k: v for k, v in (extra or {}).items() if k.lower() not in RESERVED}
    headers.update(
        {
            "content-type": "application/json",
            "user-agent": "newswatch-webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }
    )
    return headers
