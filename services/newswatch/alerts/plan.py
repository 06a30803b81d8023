"""The alert planner as one pure function: (articles, story state, subscriptions, now) -> (drafts, writes).

The runtime (`alerts/planner.py`, StoryPlanner) reads the state of every candidate story of a
poll batch in one go (`StoryStore.snapshot`), calls `plan_batch`, and commits the returned
`Changes` in one atomic step. Articles of one batch are planned in order against the state the
earlier ones left, so five wire copies in one batch still make one story and one alert.

Decisions per article: join the best candidate story (near-duplicate text first, then shared
blocking keys, then recency; only stories last seen within the window, and, when the dates are
known, whose members were published within the window of the article), else open a new one; then
for every subscriber of that story (matching now, or told before) send, hold or do nothing
(`notify.decide`). `plan_held` re-decides the notices held by group_wait/repeat_interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from newswatch.alerts import explain
from newswatch.alerts.facts import decision_facts, facts
from newswatch.alerts.index import SubscriptionIndex
from newswatch.alerts.notify import Verdict, decide
from newswatch.alerts.payload import build
from newswatch.alerts.ports import (
    AlertKind,
    AlertRecord,
    AlertStatus,
    Changes,
    Notice,
    Snapshot,
    Story,
    StoryState,
    StoryWrite,
    Subscription,
    micros,
)
from newswatch.alerts.similarity import band_keys, signature
from newswatch.alerts.stories import absorb, choose, member_of, story_keys
from newswatch.alerts.view import ArticleView, view_of
from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft

UNCHECKED = -1  # StoryWrite.expected for a write that need not agree with any version
CANDIDATES_PER_LOOKUP = 4  # the most recent stories read per key or band: cost flat in open stories


@dataclass(frozen=True, slots=True)
class Subscribers:
    """The active subscriptions, indexed for matching (rebuilt by the runtime when they change)."""

    index: SubscriptionIndex
    by_id: Mapping[str, Subscription]

    @classmethod
    def of(cls, subs: Iterable[Subscription]) -> Subscribers:
        active = list(subs)
        return cls(SubscriptionIndex(active), {s.id: s for s in active})


@dataclass(frozen=True, slots=True)
class Item:
    """One article ready to plan: what grouping looks up, computed before the state is read."""

    article: Article
    analysis: Analysis  # reported events only
    keys: tuple[str, ...]  # blocking keys (event type @ place)
    sig: tuple[int, ...]
    bands: tuple[str, ...]

    @property
    def lookups(self) -> tuple[str, ...]:
        return (*(f"k:{k}" for k in self.keys), *(f"b:{b}" for b in self.bands))


def prepare(article: Article, analysis: Analysis, subs: Subscribers | None = None) -> Item | None:
    """The article's lookups, or None when it has nothing to alert on: no reported event
    (background mentions alert no one), and no topic or keyword subscription of `subs` matching it."""
    reported = analysis.reported_events
    if len(reported) < len(analysis.events):
        analysis = replace(analysis, events=reported)
    if reported:
        keys = story_keys(analysis)
    elif (
        subs is not None
        and subs.index.watches_articles
        and subs.index.match_article(view_of(article, analysis))
    ):
        keys = topic_keys(analysis)
    else:
        return None
    sig = signature(article.text)
    return Item(article, analysis, keys, sig, tuple(band_keys(sig)))


def topic_keys(analysis: Analysis) -> tuple[str, ...]:
    """Blocking key of an article without events: its main topic at its main place (`topic:<id>@<place>`),
    so articles of one subject in one place group into a story as events of one type do."""
    if not analysis.topics:
        return ()
    topic = max(analysis.topics, key=lambda t: (t.score, t.topic.value)).topic.value
    regions = sorted(analysis.regions, key=lambda r: (-r.score, r.code))
    place = next((r.code for r in regions if "-" in r.code), None) or next((r.code for r in regions), None)
    return (f"topic:{topic}@{place}" if place else f"topic:{topic}",)


@dataclass
class _World:
    """The snapshot plus what this batch changed so far (in-memory; the plan's only state)."""

    hits: dict[str, list[tuple[str, int]]]
    states: dict[str, StoryState]
    changes: Changes = field(default_factory=Changes)

    def write_for(self, story_id: str) -> StoryWrite:
        w = self.changes.stories.get(story_id)
        if w is None:
            state = self.states.get(story_id)
            w = StoryWrite(story_id, state.version if state else 0)
            self.changes.stories[story_id] = w
        return w

    def index(self, story_id: str, lookups: Iterable[str], last_us: int) -> None:
        for lookup in lookups:
            found = [h for h in self.hits.get(lookup, []) if h[0] != story_id]
            self.hits[lookup] = [(story_id, last_us), *found]


def plan_batch(
    items: Sequence[Item | None],
    snapshot: Snapshot,
    subs: Subscribers,
    now: datetime,
    window: timedelta,
) -> tuple[list[tuple[AlertDraft, ...]], Changes]:
    """Drafts per item (in order; None items get none) and the writes that record the decisions."""
    world = _World({k: list(v) for k, v in snapshot.hits.items()}, dict(snapshot.states))
    world.changes.key_versions.update(snapshot.key_versions)
    out = []
    for item in items:
        out.append(_plan_one(item, world, subs, now, window) if item is not None else ())
    return out, world.changes


def _plan_one(
    item: Item, world: _World, subs: Subscribers, now: datetime, window: timedelta
) -> tuple[AlertDraft, ...]:
    joined = _join(item, world, now - window, window)
    member = member_of(item.article, item.analysis, item.sig, now)
    story = absorb(joined.story if joined else None, member, item.keys, now)
    state = joined or StoryState(story)
    if story is not (joined.story if joined else None):  # a new member (not a redelivery)
        _record_story(world, state, story, item)
    state = world.states[story.id] = replace(state, story=story)
    view = view_of(item.article, item.analysis)
    found = subs.index.match(view) if item.analysis.events else subs.index.match_article(view)
    matched = {s.id for s in found}
    return _notify_all(world, state, matched, subs, now, (view, item.article.id))


def _join(item: Item, world: _World, since: datetime, window: timedelta) -> StoryState | None:
    """The state of the story `choose` picks among the lookups' stories last seen since `since`
    whose members were published within `window` of the article (when both dates are known)."""
    by_text: set[str] = set()
    ids: set[str] = set()
    for lookup in item.lookups:
        for sid, _ in world.hits.get(lookup, ()):
            ids.add(sid)
            if lookup[0] == "b":
                by_text.add(sid)
    published = _published(item.article.published_at)
    live = [
        s.story
        for sid in sorted(ids)
        if (s := world.states.get(sid))
        and s.story.last_seen >= since
        and _in_window(s.story, published, window)
    ]
    chosen = choose(live, item.keys, item.sig, frozenset(by_text))
    return world.states[chosen.id] if chosen else None


def _published(value: str | None) -> datetime | None:
    """An article's published_at as an aware time; None when absent or unreadable."""
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _in_window(story: Story, published: datetime | None, window: timedelta) -> bool:
    """A report published years before or after a story's members is not about the same event,
    however alike the words (an anniversary, a re-published archive piece)."""
    if published is None:
        return True
    times = [t for m in story.members if (t := _published(m.published_at)) is not None]
    return not times or min(times) - window <= published <= max(times) + window


def _record_story(world: _World, old: StoryState, story: Story, item: Item) -> None:
    """Add the story's new member (and any text clusters it merged) to the batch's writes."""
    w = world.write_for(story.id)
    before = {m.article_id: m.origin for m in old.story.members} if old.story is not story else {}
    new = [m for m in story.members if m.article_id not in before]
    w.members += [m for m in new if all(m.article_id != x.article_id for x in w.members)]
    w.origins.update({m.article_id: m.origin for m in story.members if before.get(m.article_id) != m.origin})
    w.first_seen, w.last_seen, w.keys = story.first_seen, story.last_seen, story.keys
    bands = item.bands if new else ()
    w.lookups = tuple(
        dict.fromkeys((*w.lookups, *(f"k:{k}" for k in story.keys), *(f"b:{b}" for b in bands)))
    )
    world.index(story.id, w.lookups, micros(story.last_seen))


def _notify_all(
    world: _World,
    state: StoryState,
    matched: set[str],
    subs: Subscribers,
    now: datetime,
    trigger: tuple[ArticleView, str],
) -> tuple[AlertDraft, ...]:
    ids = sorted(matched | set(state.notices))
    chosen = [s for i in ids if (s := subs.by_id.get(i)) is not None]
    if not chosen:
        return ()
    known = decision_facts(state.story)
    drafts = []
    for sub in chosen:
        draft = _notify(world, state, sub, known, now, trigger)
        if draft is not None:
            drafts.append(draft)
    return tuple(drafts)


def _notify(
    world: _World,
    state: StoryState,
    sub: Subscription,
    known: dict[str, Any],
    now: datetime,
    trigger: tuple[ArticleView, str] | None = None,
) -> AlertDraft | None:
    """Decide for one subscriber; record the notice (and the alert) it leads to. `trigger` is the
    article being planned (its view and id), for keyword explanations; None when flushing held ones."""
    story, notice = state.story, state.notices.get(sub.id)
    d = decide(notice, known, sub, now)
    base = notice or Notice(sub.id, story.id, -1, None, now)
    if d.verdict in (Verdict.NONE, Verdict.HOLD):
        held = (base.held_since or now) if d.verdict is Verdict.HOLD else None
        if notice is None or held != notice.held_since:
            _save_notice(world, state, replace(base, held_since=held))
        return None
    revision, story_facts = base.revision + 1, facts(story)
    why = explain.matched(sub.filters, story_facts, *(trigger or (None, None)))
    payload = build(d.verdict.value, sub, story_facts, revision, d.changes, now, why)
    snapshot = {k: story_facts[k] for k in ("publishers", "casualties", "event_types")}
    _save_notice(
        world, state, replace(base, revision=revision, sent_at=now, snapshot=snapshot, held_since=None)
    )
    draft = AlertDraft(payload["data"]["alert_id"], sub.id, d.verdict.value, payload)
    # A digest subscriber's alert is stored the same way but waits for its period's digest
    # (alerts/digest.py) instead of going to delivery on its own.
    digest = sub.delivery.is_digest
    world.changes.alerts.append(
        AlertRecord(
            draft.id,
            sub.id,
            sub.tenant,
            AlertKind(draft.kind),
            story.id,
            revision,
            payload,
            AlertStatus.IN_DIGEST if digest else AlertStatus.PENDING,
            now,
        )
    )
    return None if digest else draft


def _save_notice(world: _World, state: StoryState, notice: Notice) -> None:
    world.write_for(notice.story_id).notices[notice.subscription_id] = notice
    current = world.states.get(notice.story_id, state)
    world.states[notice.story_id] = replace(
        current, notices={**current.notices, notice.subscription_id: notice}
    )
    # The caller's `state` is stale now; it only reads the story, which notices do not change.


def plan_held(
    held: Sequence[Notice], states: Mapping[str, StoryState], subs: Subscribers, now: datetime
) -> tuple[list[AlertDraft], Changes]:
    """Re-decide held notices at `now`: due ones send, others stay held; a notice whose
    subscription or story is gone is released (nothing will ever be due)."""
    world = _World({}, dict(states))
    drafts = []
    for n in held:
        sub, state = subs.by_id.get(n.subscription_id), world.states.get(n.story_id)
        if sub is None or state is None:
            gone = state or StoryState(Story(n.story_id, now, now, (), ()))
            if state is None:  # nothing left to agree with: release it whatever was written meanwhile
                world.changes.stories.setdefault(n.story_id, StoryWrite(n.story_id, UNCHECKED))
            _save_notice(world, gone, replace(n, held_since=None))
            continue
        draft = _notify(world, state, sub, decision_facts(state.story), now)
        if draft is not None:
            drafts.append(draft)
    return drafts, world.changes
