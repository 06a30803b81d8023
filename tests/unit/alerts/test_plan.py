"""The pure planner (alerts/plan.py): every story and alert decision from a hand-built state, no store."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from newswatch.alerts.payload import alert_id
from newswatch.alerts.plan import Item, Subscribers, plan_batch, plan_held, prepare
from newswatch.alerts.ports import Filters, Notice, Snapshot, Story, StoryState, Subscription, Webhook, micros
from newswatch.alerts.stories import absorb, member_of, story_id
from newswatch.contracts.schemas import schema_errors
from newswatch.domain.model import Event
from tests.unit.alerts.factory import WIRE, analysis, article, event, own_report

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
S, MIN, WINDOW = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=12)
UA63 = "power_plant_strike@UA-63"
FILTERS = Filters(event_types=("power_plant_strike",), regions=("UA",))


def sub(n: int = 1, filters: Filters = FILTERS, **kw: object) -> Subscription:
    return Subscription(f"sub_{n}", "acme", f"s{n}", filters, Webhook("https://h.example"), "whsec_x", **kw)  # type: ignore[arg-type]


def item(art_id: str, body: str = WIRE, source: str = "one", *events: Event) -> Item:
    found = prepare(article(art_id, body, source), analysis(art_id, events or (event(),)))
    assert found is not None
    return found


def dated(it: Item, published_at: str) -> Item:
    return replace(it, article=replace(it.article, published_at=published_at))


@dataclass
class Stored:
    """A story as it is stored before the batch: its members' items, when, and its notices."""

    members: tuple[Item, ...]
    at: datetime = T0
    notices: tuple[Notice, ...] = ()
    version: int = 3


def stored(*members: Item, at: datetime = T0, notices: tuple[Notice, ...] = ()) -> Stored:
    return Stored(members, at, notices)


def state_of(s: Stored) -> StoryState:
    story: Story | None = None
    for it in s.members:
        m = member_of(it.article, it.analysis, it.sig, s.at)
        story = absorb(story, m, it.keys, s.at)
    assert story is not None
    return StoryState(story, {n.subscription_id: n for n in s.notices}, s.version)


def snapshot(*stories: Stored) -> Snapshot:
    """What the store's read returns: every stored story under each lookup of its members."""
    states = {st.story.id: st for st in map(state_of, stories)}
    hits: dict[str, list[tuple[str, int]]] = {}
    for s, st in zip(stories, states.values(), strict=True):
        for lookup in {x for it in s.members for x in it.lookups}:
            hits.setdefault(lookup, []).append((st.story.id, micros(st.story.last_seen)))
    return Snapshot({k: tuple(v) for k, v in hits.items()}, states, {UA63: 7})


def sent(story_of: str, at: datetime = T0, publishers: int = 1, **kw: object) -> Notice:
    snap = {
        "publishers": publishers,
        "casualties": {"killed": 0, "injured": 0},
        "event_types": [kw.get("type", "power_plant_strike")],
    }
    return Notice("sub_1", story_id(story_of), 0, at, at, snap)


def held(story_of: str, since: datetime = T0) -> Notice:
    return Notice("sub_1", story_id(story_of), -1, None, since, held_since=since)


TOLL = (event(), event("casualties", 0.8, killed=4))


@dataclass
class Case:
    stories: tuple[Stored, ...]
    batch: tuple[Item | None, ...]
    subs: tuple[Subscription, ...]
    now: datetime
    kinds: list[str]  # the drafts' kinds, in order
    joined: list[str] = field(default_factory=list)  # the article id that opened each touched story
    notices: dict[str, int | None] = field(default_factory=dict)  # sub -> revision written (None: held)


CASES = [
    # A first article with no story around opens one and is detected at once (group_wait 0).
    Case((), (item("a"),), (sub(),), T0, ["story.detected"], ["a"], {"sub_1": 0}),
    # A wire copy of a stored story's member joins it by text (LSH band); it changes nothing worth telling.
    Case(
        (stored(item("a"), notices=(sent("a"),)),), (item("b", WIRE, "two"),), (sub(),), T0 + MIN, [], ["a"]
    ),
    # An independent report at the same place joins by its blocking key, a second publisher: no update
    # (2 publishers is a step, but repeat_interval since the last alert has not passed): held.
    Case(
        (stored(item("a"), notices=(sent("a"),)),),
        (item("b", own_report(1), "two"),),
        (sub(),),
        T0 + MIN,
        [],
        ["a"],
        {"sub_1": None},
    ),
    # The same after repeat_interval (300 s): story.updated, revision 1.
    Case(
        (stored(item("a"), notices=(sent("a"),)),),
        (item("b", own_report(1), "two"),),
        (sub(),),
        T0 + 10 * MIN,
        ["story.updated"],
        ["a"],
        {"sub_1": 1},
    ),
    # A higher death toll is a material change: story.updated.
    Case(
        (stored(item("a"), item("b", own_report(1), "two"), notices=(sent("a", publishers=2),)),),
        (item("c", own_report(2), "two", *TOLL),),
        (sub(),),
        T0 + 10 * MIN,
        ["story.updated"],
        ["a"],
        {"sub_1": 1},
    ),
    # group_wait holds the first alert: a held notice, no draft.
    Case((), (item("a"),), (sub(group_wait=60),), T0, [], ["a"], {"sub_1": None}),
    # min_publishers not reached: nothing sent, nothing held (a notice with revision -1 is kept).
    Case((), (item("a"),), (sub(filters=replace(FILTERS, min_publishers=2)),), T0, [], ["a"], {"sub_1": -1}),
    # Two articles of one batch: the second joins the story the first opened; one alert.
    Case((), (item("a"), item("b", WIRE, "two")), (sub(),), T0, ["story.detected"], ["a"], {"sub_1": 0}),
    # A redelivered member: nothing to write, nothing to send.
    Case((stored(item("a"), notices=(sent("a"),)),), (item("a"),), (sub(),), T0 + MIN, [], [], {}),
    # A story last seen before the window is closed: the article opens a new story and is detected again.
    Case(
        (stored(item("a"), notices=(sent("a"),)),),
        (item("b", own_report(1), "two"),),
        (sub(),),
        T0 + 13 * timedelta(hours=1),
        ["story.detected"],
        ["b"],
        {"sub_1": 0},
    ),
    # A report published two years after the stored story's member: not the same event, however alike.
    Case(
        (stored(dated(item("a"), "2024-11-20T08:00:00Z"), notices=(sent("a"),)),),
        (dated(item("b", WIRE, "two"), "2026-11-25T08:00:00+00:00"),),
        (sub(),),
        T0 + MIN,
        ["story.detected"],
        ["b"],
        {"sub_1": 0},
    ),
    # Published the same day: it joins as usual (and, being a wire copy, changes nothing to tell).
    Case(
        (stored(dated(item("a"), "2026-11-25T08:00:00Z"), notices=(sent("a"),)),),
        (dated(item("b", WIRE, "two"), "2026-11-25T09:30:00Z"),),
        (sub(),),
        T0 + MIN,
        [],
        ["a"],
    ),
    # No subscription matches (another country): the story grows, nobody is told.
    Case((), (item("a"),), (sub(filters=Filters(regions=("PL",))),), T0, [], ["a"], {}),
    # An article reporting no event (only a background mention, below the reported confidence) plans
    # nothing at all: prepare gives None.
    Case((), (prepare(article("bg"), analysis("bg", (event(confidence=0.3),))),), (sub(),), T0, [], [], {}),
    # A subscriber told before hears of a material change even when this article alone would not
    # match it (the notice makes it a subscriber of the story).
    Case(
        (stored(item("a"), notices=(sent("a"),)),),
        (prepare(article("c", own_report(2), "two"), analysis("c", TOLL, regions=("UA", "UA-63"))),),
        (sub(filters=replace(FILTERS, min_confidence=0.95)),),
        T0 + 10 * MIN,
        ["story.updated"],
        ["a"],
        {"sub_1": 1},
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_plan_batch(case: Case) -> None:
    drafts, changes = plan_batch(
        case.batch, snapshot(*case.stories), Subscribers.of(case.subs), case.now, WINDOW
    )
    got = [d for ds in drafts for d in ds]
    assert [d.kind for d in got] == case.kinds
    assert sorted(changes.stories) == sorted(story_id(a) for a in case.joined)
    written = {sub_id: n for w in changes.stories.values() for sub_id, n in w.notices.items()}
    assert {k: (None if n.held_since else n.revision) for k, n in written.items()} == case.notices
    assert [a.id for a in changes.alerts] == [d.id for d in got]  # every draft is stored with its notice
    for d in got:
        data = d.payload["data"]
        assert d.id == alert_id(d.subscription_id, data["story_id"], data["revision"])
        assert data["subscription_name"] == "s1" and schema_errors("alert", d.payload) == []
        # The type matched on the story's event, unless the subscriber only follows the story now
        # (it was told before: the notice keeps it a subscriber though this article is too weak).
        strong = next(s for s in case.subs if s.id == d.subscription_id).filters.min_confidence <= 0.9
        assert [m["value"] for m in data["matched"]["event_types"]] == (
            ["power_plant_strike"] if strong else []
        )


def test_a_write_expects_the_version_it_read_and_the_keys_it_read() -> None:
    _, changes = plan_batch(
        [item("b", own_report(1), "two")], snapshot(stored(item("a"))), Subscribers.of(()), T0, WINDOW
    )
    (w,) = changes.stories.values()
    assert w.expected == 3 and changes.key_versions == {UA63: 7}
    assert [m.article_id for m in w.members] == ["b"] and "k:" + UA63 in w.lookups  # only the new member


def test_a_new_story_expects_no_version_and_writes_every_lookup_of_its_article() -> None:
    it = item("a")
    _, changes = plan_batch([it], Snapshot(), Subscribers.of(()), T0, WINDOW)
    w = changes.stories[story_id("a")]
    assert w.expected == 0 and set(w.lookups) == set(it.lookups) and w.first_seen == T0


HELD_CASES = [
    # group_wait over: the held notice sends story.detected.
    (held("a"), (sub(group_wait=60),), T0 + 61 * S, ["story.detected"], 0),
    # group_wait not over: still held, nothing rewritten.
    (held("a"), (sub(group_wait=60),), T0 + 59 * S, [], None),
    # The subscription is gone: the notice is released (held_since cleared) and nothing sent.
    (held("a"), (), T0 + 61 * S, [], -1),
]


@pytest.mark.parametrize(("notice", "subs", "now", "kinds", "revision"), HELD_CASES)
def test_plan_held(
    notice: Notice, subs: tuple[Subscription, ...], now: datetime, kinds: list[str], revision: int | None
) -> None:
    state = state_of(stored(item("a"), notices=(notice,)))
    drafts, changes = plan_held([notice], {state.story.id: state}, Subscribers.of(subs), now)
    assert [d.kind for d in drafts] == kinds
    written = [n for w in changes.stories.values() for n in w.notices.values()]
    if revision is None:
        assert written == []
    else:
        (n,) = written
        assert n.revision == revision and n.held_since is None


def test_a_held_notice_of_a_closed_story_is_released_without_a_version_check() -> None:
    n = held("gone")
    drafts, changes = plan_held([n], {}, Subscribers.of((sub(group_wait=60),)), T0 + MIN)
    (w,) = changes.stories.values()
    assert drafts == [] and w.expected == -1 and w.notices["sub_1"].held_since is None
