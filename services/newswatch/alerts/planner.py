"""The I/O around the pure planner (alerts/plan.py), run by the runtimes once per poll batch.

    read    StoryStore.snapshot: the newest stories of every lookup of the batch, one pipelined read
    plan    plan.plan_batch: pure, from that state, the subscriptions and `now`
    write   StoryStore.commit: members, lookups, notices and alerts in one atomic step

Planners in other processes may commit between our read and our write: the commit then refuses
(a story or blocking key changed version) and the batch is read and planned again. Because the
notice "sent revision r" is written in the same step as the alert it announces (and the alert's
outbox entry), a crash before the commit leaves nothing (a replay plans the same alert ids again),
and a crash after it leaves the alert in the outbox for `unsent` to hand over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from newswatch.alerts import digest
from newswatch.alerts.plan import CANDIDATES_PER_LOOKUP, Subscribers, plan_batch, plan_held, prepare
from newswatch.alerts.ports import AlertKind, AlertRecord, AlertStatus, Pending, StoryStore, SubscriptionStore
from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft

PRUNE_EVERY = timedelta(hours=1)
MAX_ATTEMPTS = 20  # commits refused in a row before the batch fails (and the runtime retries it)


class PlanConflict(TimeoutError):
    """Other planners kept changing the batch's stories: transient, so the runtime retries the batch
    later (a TimeoutError, as a store that does not answer, for the runtimes' I/O retry)."""


@dataclass(frozen=True, slots=True)
class PlannerConfig:
    story_window: timedelta = timedelta(hours=12)  # a story takes articles until this long after its last one
    # How often to check for subscription changes: every batch by default (one cheap read), so an
    # article posted right after its subscription is matched; raise it to save a Redis round trip.
    refresh_interval: timedelta = timedelta(0)
    candidates_per_lookup: int = CANDIDATES_PER_LOOKUP


class StoryPlanner:
    """Not thread-safe: one per pipeline thread (stores may be shared across threads and processes)."""

    def __init__(
        self, subs: SubscriptionStore, stories: StoryStore, config: PlannerConfig | None = None
    ) -> None:
        self.subs, self.stories = subs, stories
        self.config = config or PlannerConfig()
        self._subscribers = Subscribers.of(())
        self._version: int | None = None
        self._checked: datetime | None = None
        self._pruned: datetime | None = None
        self.conflicts = 0  # commits refused because another planner wrote first

    def plan_batch(
        self, pairs: Sequence[tuple[Article, Analysis]], now: datetime
    ) -> list[tuple[AlertDraft, ...]]:
        """Drafts per article, in order; every one of them is stored (and in the outbox) on return."""
        self._refresh(now)
        items = [prepare(article, analysis, self._subscribers) for article, analysis in pairs]
        if not any(items):
            return [() for _ in pairs]
        lookups = [x for item in items if item for x in item.lookups]
        keys = [k for item in items if item for k in item.keys]
        since = now - self.config.story_window
        for _ in range(MAX_ATTEMPTS):
            snap = self.stories.snapshot(lookups, keys, since, self.config.candidates_per_lookup)
            drafts, changes = plan_batch(items, snap, self._subscribers, now, self.config.story_window)
            if not changes or self.stories.commit(changes):
                return drafts
            self.conflicts += 1
        raise PlanConflict(f"{MAX_ATTEMPTS} commits refused in a row")

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]:
        """One article as a batch of one (pipeline.AlertPlanner)."""
        return self.plan_batch([(article, analysis)], now)[0]

    def flush(self, now: datetime) -> tuple[AlertDraft, ...]:
        """Drafts held by group_wait/repeat_interval that are due now, then the digests of periods
        that ended (all stored on return); call every second or so. Also closes stories past the
        window, at most once per PRUNE_EVERY."""
        self._refresh(now)
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            self._pruned = now
            self.stories.prune(now - self.config.story_window)
        return self._flush_held(now) + self._digests(now)

    def _flush_held(self, now: datetime) -> tuple[AlertDraft, ...]:
        for _ in range(MAX_ATTEMPTS):
            held = self.stories.held()
            if not held:
                return ()
            states = self.stories.states(sorted({n.story_id for n in held}))
            drafts, changes = plan_held(held, states, self._subscribers, now)
            if not changes or self.stories.commit(changes):
                return tuple(drafts)
            self.conflicts += 1
        raise PlanConflict(f"{MAX_ATTEMPTS} commits of held alerts refused in a row")

    def _digests(self, now: datetime) -> tuple[AlertDraft, ...]:
        """The digests whose period ended by `now`, each stored (in the outbox) on return."""
        by_sub: dict[str, list[Pending]] = {}
        for p in self.stories.digest_pending():
            by_sub.setdefault(p.subscription_id, []).append(p)
        drafts = []
        for sub_id, pending in sorted(by_sub.items()):
            sub = self._subscribers.by_id.get(sub_id)
            if sub is None:  # disabled: kept for when it is enabled again; deleted: nobody to tell
                if self.subs.get(sub_id) is None:
                    self.stories.drop_pending([p.alert_id for p in pending])
                continue
            # Switched back to immediate delivery: what waits still goes out, as one digest.
            found = digest.due(pending, now, sub.delivery.interval_s or digest.MIN_INTERVAL_S)
            if found is None:
                continue
            period, ids = found
            payload = digest.build(sub, period, self.stories.alerts_by_id(ids), now)
            record = AlertRecord(
                payload["data"]["alert_id"], sub.id, sub.tenant, AlertKind.DIGEST, "", 0, payload,
                AlertStatus.PENDING, now,
            )  # fmt: skip
            if self.stories.commit_digest(record, ids):  # False: another planner sent this period's
                drafts.append(AlertDraft(record.id, sub.id, AlertKind.DIGEST.value, payload))
        return tuple(drafts)

    def unsent(self, before: datetime) -> list[str]:
        """Alerts committed before `before` whose hand-off was never confirmed (`StoryStore.outbox`)."""
        return self.stories.outbox(before)

    def tenant_of(self, sub_id: str) -> str | None:
        sub = self._subscribers.by_id.get(sub_id) or self.subs.get(sub_id)
        return sub.tenant if sub else None

    def _refresh(self, now: datetime) -> None:
        if self._checked is not None and now - self._checked < self.config.refresh_interval:
            return
        self._checked = now
        version = self.subs.version()
        if version != self._version:
            self._subscribers, self._version = Subscribers.of(self.subs.all_active()), version
