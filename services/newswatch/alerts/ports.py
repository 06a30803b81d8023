"""Store ports of the alerts domain: the records and the interfaces backends implement.

Backends: SQLite (embedded, `newswatch/store/alerts_sqlite.py`) and Redis
(distributed, `newswatch/store/alerts_redis.py`); both pass
`tests/contract/test_alert_store_contract.py`. Every method may block on I/O
and may raise the backend's connection errors; none of them retries.
Datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the listing types are built on the records below
    from newswatch.alerts.story_listing import StoryDetail, StoryPage, StoryQuery


class AlertStatus(StrEnum):
    PENDING = "pending"  # stored, not yet delivered
    DELIVERED = "delivered"  # receiver answered 2xx
    FAILED = "failed"  # last attempt failed, a retry is scheduled
    EXHAUSTED = "exhausted"  # retry schedule used up; kept for replay
    DISABLED = "disabled"  # endpoint disabled (410) before delivery
    IN_DIGEST = "in_digest"  # a digest subscription's story alert: delivered inside its period's digest


class DeliveryMode(StrEnum):
    IMMEDIATE = "immediate"  # one webhook per story alert, as soon as it is due
    DIGEST = "digest"  # one webhook per period holding the period's story alerts; none when empty


@dataclass(frozen=True, slots=True)
class Delivery:
    """How a subscription's alerts reach it; `interval_s` is the digest period (digest mode only)."""

    mode: DeliveryMode = DeliveryMode.IMMEDIATE
    interval_s: int = 0

    @property
    def is_digest(self) -> bool:
        return self.mode is DeliveryMode.DIGEST


class AlertKind(StrEnum):
    DETECTED = "story.detected"
    UPDATED = "story.updated"
    TEST = "subscription.test"  # POST /v1/subscriptions/{id}/test
    DIGEST = "digest"  # one period's story alerts of a digest subscription, in one webhook


@dataclass(frozen=True, slots=True)
class TopicFilter:
    id: str  # a Topic value
    min_score: float = 0.0


@dataclass(frozen=True, slots=True)
class Filters:
    """All given dimensions must match (AND); within a dimension any value matches (OR).

    An empty dimension matches everything. `regions` are hierarchical: `UA`
    matches an article about `UA-63`.
    """

    event_types: tuple[str, ...] = ()
    topics: tuple[TopicFilter, ...] = ()
    regions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    min_confidence: float = 0.0
    min_publishers: int = 1


@dataclass(frozen=True, slots=True)
class Webhook:
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Subscription:
    """A tenant's standing query plus where to deliver (schemas/subscription.v1).

    `secret` is the Standard Webhooks signing secret (`whsec_<base64>`). After a rotation the
    old one stays in `previous_secret` until `previous_secret_until`: deliveries are signed with
    both meanwhile, so receivers can switch secrets without dropping a message.
    `group_wait`/`repeat_interval` are seconds (see newswatch/alerts/notify.py).
    """

    id: str
    tenant: str
    name: str
    filters: Filters
    webhook: Webhook
    secret: str
    enabled: bool = True
    created_at: datetime | None = None
    group_wait: float = 0.0
    repeat_interval: float = 300.0
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None
    delivery: Delivery = field(default_factory=Delivery)

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        """The secrets a delivery at `now` is signed with: the current one, then the previous
        one while its overlap lasts."""
        until = self.previous_secret_until
        if self.previous_secret and until is not None and now < until:
            return (self.secret, self.previous_secret)
        return (self.secret,)


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One alert for one subscription. `payload` is the webhook body (schemas/alert.v1).

    `id` is stable for (subscription_id, story_id, revision); it is also the `webhook-id`.
    """

    id: str
    subscription_id: str
    tenant: str
    kind: AlertKind
    story_id: str
    revision: int
    payload: dict[str, Any]
    status: AlertStatus = AlertStatus.PENDING
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """An alert of a digest subscription (status in_digest) waiting for its period's digest."""

    subscription_id: str
    alert_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing; `cursor` is opaque, None on the last page."""

    items: tuple[AlertRecord, ...]
    cursor: str | None = None


class SubscriptionStore(Protocol):
    def create(self, sub: Subscription) -> Subscription:
        """Store a new subscription; returns it with created_at set. AlreadyExists if the id is taken."""

    def get(self, sub_id: str) -> Subscription | None: ...

    def list_by_tenant(self, tenant: str | None) -> list[Subscription]:
        """A tenant's subscriptions, oldest first; every tenant's when tenant is None (admin)."""

    def update(self, sub: Subscription) -> Subscription | None:
        """Replace an existing subscription (id, tenant, secrets, created_at kept); None if missing."""

    def rotate_secret(self, sub_id: str, secret: str, previous_until: datetime) -> Subscription | None:
        """Make `secret` current; the old one signs too until `previous_until`. None if missing."""

    def delete(self, sub_id: str) -> bool:
        """True when it existed. Its alerts stay (for audit), but no new ones are planned."""

    def set_enabled(self, sub_id: str, enabled: bool) -> bool:
        """Enable/disable delivery (410 disables); True when the subscription exists."""

    def all_active(self) -> list[Subscription]:
        """Every enabled subscription, for building the matching index."""

    def version(self) -> int:
        """A counter bumped by every write, so matchers know when to rebuild their index."""


class AlertStore(Protocol):
    def put(self, alert: AlertRecord) -> bool:
        """Insert unless an alert with this id exists (then nothing changes): True if inserted."""

    def get(self, alert_id: str) -> AlertRecord | None: ...

    def set_status(self, alert_id: str, status: AlertStatus) -> bool:
        """Set an AlertStatus value; True when the alert exists."""

    def list_alerts(
        self,
        *,
        tenant: str | None,
        subscription_id: str | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page:
        """Alerts newest first, filtered by tenant (None = all), subscription and created_at >= since."""

    def for_replay(self, subscription_id: str, since: datetime, only_failed: bool) -> list[AlertRecord]:
        """Alerts of a subscription created at/after `since`, oldest first; with only_failed,
        those whose status is failed, exhausted or disabled."""


@dataclass(frozen=True, slots=True)
class Member:
    """One article of a story; `origin` is the publisher cluster it counts toward."""

    article_id: str
    source: str
    origin: str
    title: str | None = None
    url: str | None = None
    published_at: str | None = None
    signature: tuple[int, ...] = ()  # MinHash values of its word shingles
    seen_at: datetime | None = None
    events: tuple[dict[str, Any], ...] = ()  # analysis.v1 event objects (+ article_id in evidence)
    topics: Mapping[str, float] = field(default_factory=dict)
    regions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Story:
    """Articles about one real-world event; `facts` is the explanation built so far."""

    id: str
    first_seen: datetime
    last_seen: datetime
    keys: tuple[str, ...]  # blocking keys: event type + place
    members: tuple[Member, ...]
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Notice:
    """What a subscriber was last told about a story (Alertmanager's nflog entry)."""

    subscription_id: str
    story_id: str
    revision: int  # revision of the last alert sent; -1 before the first
    sent_at: datetime | None
    first_matched: datetime
    snapshot: dict[str, Any] = field(default_factory=dict)  # the facts as last sent
    held_since: datetime | None = None  # a notification is due but held by group_wait/repeat_interval


def micros(t: datetime) -> int:
    """Sortable integer time (microseconds since the epoch): story lookup scores and Candidate.last_us."""
    return int(t.timestamp() * 1_000_000)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A story an article might join, read from the lookups alone (no story document).

    `shared` counts the article's blocking keys the story is indexed under (its keys in common);
    `last_us` is its last_seen as `micros`; `by_text` says an LSH band found it.
    """

    story_id: str
    shared: int
    last_us: int
    by_text: bool


@dataclass(frozen=True, slots=True)
class StoryState:
    """A story as the planner reads it: the story, every subscriber's notice, and its version.

    `version` counts the writes to the story (members and notices); 0 means not stored.
    """

    story: Story
    notices: Mapping[str, Notice] = field(default_factory=dict)  # by subscription id
    version: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the runtime read for one batch: the candidate lookups and the states behind them.

    `hits` maps a lookup (`k:<key>` or `b:<band>`) to its most recent stories (id, last_us), newest
    first, at most the read's limit; `key_versions` holds the version of every blocking key read
    (bumped whenever a story is indexed under it), so a write can tell a story was opened meanwhile.
    """

    hits: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    states: Mapping[str, StoryState] = field(default_factory=dict)
    key_versions: Mapping[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class StoryWrite:
    """The changes a batch makes to one story, written incrementally (never the whole story).

    `expected` is the version the plan read (0: the story is new, or was gone; -1: no check); the
    write fails if the stored version differs. `members` are the new ones only; `origins` every member whose
    text cluster changed (new members included); `lookups` the lookups to (re)score with last_seen.
    """

    story_id: str
    expected: int
    first_seen: datetime | None = None  # set when the story is new (or being refreshed)
    last_seen: datetime | None = None
    keys: tuple[str, ...] = ()
    lookups: tuple[str, ...] = ()
    members: list[Member] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    notices: dict[str, Notice] = field(default_factory=dict)  # by subscription id

    @property
    def touches_story(self) -> bool:
        return self.last_seen is not None


@dataclass(slots=True)
class Changes:
    """One batch's writes, applied by `StoryStore.commit` in one atomic step: story members and
    lookups, notices, and the alerts those notices announce (with their outbox entries)."""

    stories: dict[str, StoryWrite] = field(default_factory=dict)
    key_versions: dict[str, int] = field(default_factory=dict)  # every blocking key the plan read
    alerts: list[AlertRecord] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.stories or self.alerts)


class StoryStore(Protocol):
    def snapshot(self, lookups: Sequence[str], keys: Sequence[str], since: datetime, limit: int) -> Snapshot:
        """The `limit` most recent stories of each lookup last seen at/after `since`, their states
        and the versions of `keys`: one pipelined read of the lookups, then one of the stories."""

    def states(self, story_ids: Sequence[str]) -> dict[str, StoryState]:
        """The states of the stories that exist among these ids (one read)."""

    def commit(self, changes: Changes) -> bool:
        """Apply `changes` atomically if every story and key still has the version the plan read;
        else write nothing and return False (another planner wrote meanwhile: read and plan again).

        Alerts are inserted unless their id exists (the AlertStore's layout, same database) and
        listed in the outbox until `outbox_done`, so an alert stored by a process that died
        before enqueueing it is still delivered (see `outbox`).
        """

    def outbox(self, before: datetime) -> list[str]:
        """Ids of alerts committed before `before` and not yet marked done, oldest first."""

    def outbox_done(self, alert_ids: Sequence[str]) -> None:
        """The alerts were enqueued for delivery (or need not be): drop them from the outbox."""

    def candidates(self, keys: Iterable[str], bands: Iterable[str], since: datetime) -> list[Candidate]:
        """The stories indexed under any of `keys` or of the LSH `bands` whose last_seen >= since, as
        lookup entries only (one read, no documents), ordered by id.

        Every lookup of a story carries its last_seen, so `shared` and `last_us` agree with its
        document. A story whose document expired may still be listed: `get_many` then skips it.
        """

    def get(self, story_id: str) -> Story | None: ...

    def get_many(self, story_ids: Sequence[str]) -> list[Story]:
        """The stories that exist among these ids (in one read), in the order given."""

    def save(self, story: Story, bands: Sequence[str]) -> None:
        """Write the whole story unconditionally and index it under its keys and the given band keys
        (tests and tools; the planner writes through `commit`)."""

    def notice(self, subscription_id: str, story_id: str) -> Notice | None: ...

    def save_notice(self, notice: Notice) -> None: ...

    def notices_for(self, story_id: str) -> list[Notice]:
        """Every subscriber's notice about a story (so later articles re-decide for them)."""

    def prune(self, before: datetime) -> int:
        """Close stories last seen before `before`: `candidates` and `snapshot` no longer return them
        (SQLite deletes them with their notices; Redis trims lookups, documents expire by TTL).
        Returns how many entries went (backend-specific)."""

    def held(self) -> list[Notice]:
        """Notices with held_since set (the planner's flush re-decides them)."""

    def list_stories(
        self,
        *,
        tenant: str | None,
        query: StoryQuery | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> StoryPage:
        """Stories some alert of `tenant` (None: any tenant) is about, that match `query` and were
        last seen at/after `since`; newest last_seen first. A cursor comes from a previous page."""

    def digest_pending(self) -> list[Pending]:
        """Alerts committed with status in_digest that no digest holds yet, oldest first.

        `commit` lists them (in the same atomic step as the alert) instead of putting them in the
        outbox."""

    def alerts_by_id(self, alert_ids: Sequence[str]) -> list[AlertRecord]:
        """The stored alerts among these ids (one read), in the order given."""

    def commit_digest(self, digest: AlertRecord, included: Sequence[str]) -> bool:
        """In one atomic step, unless an alert with `digest.id` exists: store the digest (in the
        outbox, as `commit` does) and take `included` off the pending list; True then. When it
        exists (another planner built it), change nothing and return False."""

    def drop_pending(self, alert_ids: Sequence[str]) -> None:
        """Take alerts off the pending list without a digest (their subscription is gone)."""

    def story_detail(self, story_id: str, tenant: str | None) -> StoryDetail | None:
        """The story with the tenant's alerts about it (oldest first); None when it is not stored
        or no alert of the tenant (None: any tenant) is about it."""
