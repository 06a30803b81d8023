"""The AlertPlanner of newswatch/pipeline.py: match, group into a story, decide, draft.

The stages are pure (view, index, stories, facts, notify, payload); this
class only reads and writes their state through the stores it was built with.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from newswatch.alerts.facts import decision_facts, facts
from newswatch.alerts.index import SubscriptionIndex
from newswatch.alerts.notify import Verdict, decide
from newswatch.alerts.payload import build
from newswatch.alerts.ports import Notice, Story, StoryStore, Subscription, SubscriptionStore
from newswatch.alerts.similarity import band_keys, signature
from newswatch.alerts.stories import absorb, member_of, preferred, story_keys
from newswatch.alerts.view import view_of
from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft

PRUNE_EVERY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PlannerConfig:
    story_window: timedelta = timedelta(hours=12)  # a story takes articles until this long after its last one
    # How often to check for subscription changes: every article by default (one cheap read), so an
    # article posted right after its subscription is matched; raise it to save a Redis round trip.
    refresh_interval: timedelta = timedelta(0)


class StoryPlanner:
    """Not thread-safe: one per pipeline thread (stores may be shared)."""

    def __init__(
        self, subs: SubscriptionStore, stories: StoryStore, config: PlannerConfig | None = None
    ) -> None:
        self.subs, self.stories = subs, stories
        self.config = config or PlannerConfig()
        self._index = SubscriptionIndex(())
        self._by_id: dict[str, Subscription] = {}
        self._version: int | None = None
        self._checked: datetime | None = None
        self._pruned: datetime | None = None

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]:
        reported = analysis.reported_events
        if not reported:
            return ()
        if len(reported) < len(analysis.events):  # background mentions alert no one
            analysis = replace(analysis, events=reported)
        self._refresh(now)
        matched = {s.id for s in self._index.match(view_of(article, analysis))}
        with self.stories.locked(story_keys(analysis)):  # other workers may be grouping a copy
            story = self._group(article, analysis, now)
            notices = {n.subscription_id: n for n in self.stories.notices_for(story.id)}
            subs = [s for i in sorted(matched | notices.keys()) if (s := self._by_id.get(i)) is not None]
            known = decision_facts(story) if subs else {}
            drafts = [self._notify(s, story, known, notices.get(s.id), now) for s in subs]
        return tuple(d for d in drafts if d is not None)

    def flush(self, now: datetime) -> tuple[AlertDraft, ...]:
        """Drafts held by group_wait/repeat_interval that are due now; call every second or so.

        Also closes stories past the window, at most once per PRUNE_EVERY.
        """
        self._refresh(now)
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            self._pruned = now
            self.stories.prune(now - self.config.story_window)
        drafts = []
        for n in self.stories.held():
            sub, story = self._by_id.get(n.subscription_id), self.stories.get(n.story_id)
            if sub is not None and story is not None:
                drafts.append(self._notify(sub, story, decision_facts(story), n, now))
            else:  # subscription deleted or disabled, or story closed: nothing will be due
                self.stories.save_notice(replace(n, held_since=None))
        return tuple(d for d in drafts if d is not None)

    def tenant_of(self, sub_id: str) -> str | None:
        sub = self._by_id.get(sub_id) or self.subs.get(sub_id)
        return sub.tenant if sub else None

    def _refresh(self, now: datetime) -> None:
        if self._checked is not None and now - self._checked < self.config.refresh_interval:
            return
        self._checked = now
        version = self.subs.version()
        if version != self._version:
            active = self.subs.all_active()
            self._index, self._by_id, self._version = (
                SubscriptionIndex(active),
                {s.id: s for s in active},
                version,
            )

    def _group(self, article: Article, analysis: Analysis, now: datetime) -> Story:
        sig, keys = signature(article.text), story_keys(analysis)
        bands, since = band_keys(sig), now - self.config.story_window
        story = absorb(self._join(keys, bands, sig, since), member_of(article, analysis, sig, now), keys, now)
        self.stories.save(story, bands)
        return story

    def _join(
        self, keys: tuple[str, ...], bands: list[str], sig: tuple[int, ...], since: datetime
    ) -> Story | None:
        """The story to join, ranked as over whole stories (`tests/oracles/stories.py`), reading the
        lookups and then only the LSH candidates' documents and the chosen one (not every story
        sharing a key)."""
        cands = self.stories.candidates(keys, bands, since)
        texts = {s.id: s for s in self.stories.get_many([c.story_id for c in cands if c.by_text])}
        for sid in preferred(cands, texts, keys, sig):
            story = texts.get(sid) or self.stories.get(sid)
            if story is not None:  # else its document expired: the next best
                return story
        return None

    def _notify(
        self, sub: Subscription, story: Story, known: dict, notice: Notice | None, now: datetime
    ) -> AlertDraft | None:
        """`known` is decision_facts(story): the full facts (ranked events, articles) are folded only
        when an alert is sent, which most articles do not cause."""
        d = decide(notice, known, sub, now)
        base = notice or Notice(sub.id, story.id, -1, None, now)
        if d.verdict in (Verdict.NONE, Verdict.HOLD):
            held = (base.held_since or now) if d.verdict is Verdict.HOLD else None
            if notice is None or held != notice.held_since:
                self.stories.save_notice(replace(base, held_since=held))
            return None
        revision, story_facts = base.revision + 1, facts(story)
        payload = build(d.verdict.value, sub, story_facts, revision, d.changes, now)
        snapshot = {k: story_facts[k] for k in ("publishers", "casualties", "event_types")}
        self.stories.save_notice(
            replace(base, revision=revision, sent_at=now, snapshot=snapshot, held_since=None)
        )
        return AlertDraft(payload["data"]["alert_id"], sub.id, d.verdict.value, payload)
