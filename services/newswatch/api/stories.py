"""`GET /v1/stories` and `GET /v1/stories/{id}`: the stories the caller's alerts were about.

A tenant sees the stories its subscriptions were alerted on (through any subscription, deleted
ones included: the alerts stay); the admin sees those of every tenant. Stories that matched no
subscription are planner state and are not listed.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from newswatch.alerts.facts import casualties, distinct_events
from newswatch.alerts.ports import Member, Story
from newswatch.alerts.publishers import independent_publishers
from newswatch.alerts.story_listing import StoryQuery, story_regions
from newswatch.api import filters
from newswatch.api.alerts import Alert, _out, check_cursor
from newswatch.api.auth import Principal, principal
from newswatch.api.problems import (
    SINCE_DOC,
    CursorQuery,
    LimitQuery,
    Problem,
    ProblemRoute,
    closest,
    field_error,
    parse_since,
)

router = APIRouter(tags=["stories"], route_class=ProblemRoute)


class StorySummary(BaseModel):
    id: str
    first_seen: datetime
    last_seen: datetime
    event_types: list[str] = Field(description="Event types its members report, most frequent first.")
    regions: list[str] = Field(description="ISO 3166 codes named or located in, countries included.")
    topics: list[str] = Field(description="Topic ids of its members, highest score first.")
    articles: int = Field(description="How many articles the story holds.")
    publishers: int = Field(description="Distinct outlets (wire copies count once).")


class Stories(BaseModel):
    items: list[StorySummary]
    cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class StoryMember(BaseModel):
    article_id: str
    title: str | None
    url: str | None
    source: str
    published_at: str | None
    regions: list[str]
    event_types: list[str]


class StoryEvents(BaseModel):
    counts: dict[str, int] = Field(description="Distinct reports per event type (wire copies count once).")
    casualties: dict[str, int] = Field(description="Highest count reported for each field.")
    items: list[dict[str, Any]] = Field(description="Distinct events (analysis.v1), most confident first.")


class StoryDetail(StorySummary):
    members: list[StoryMember] = Field(description="Its articles, oldest published first.")
    events: StoryEvents
    alerts: list[Alert] = Field(description="The caller's alerts about this story, oldest first.")


def _summary(s: Story) -> dict[str, Any]:
    types = Counter(e["type"] for m in s.members for e in m.events)
    scores: dict[str, float] = {}
    for m in s.members:
        for t, score in m.topics.items():
            scores[t] = max(scores.get(t, 0.0), score)
    return {
        "id": s.id,
        "first_seen": s.first_seen,
        "last_seen": s.last_seen,
        "event_types": [t for t, _ in sorted(types.items(), key=lambda tn: (-tn[1], tn[0]))],
        "regions": sorted(story_regions(s)),
        "topics": [t for t, _ in sorted(scores.items(), key=lambda ts: (-ts[1], ts[0]))],
        "articles": len(s.members),
        "publishers": independent_publishers(s.members),
    }


def _member(m: Member) -> StoryMember:
    return StoryMember(
        article_id=m.article_id,
        title=m.title,
        url=m.url,
        source=m.source,
        published_at=m.published_at,
        regions=sorted(m.regions),
        event_types=sorted({e["type"] for e in m.events}),
    )


def _store(request: Request) -> Any:
    store = request.app.state.services.stories
    if store is None:
        raise Problem(503, "alerts are not configured in this process", headers={"Retry-After": "60"})
    return store


def check_query(region: str | None, event_type: str | None, topic: str | None) -> list[dict[str, Any]]:
    """One problem-details error per filter that can never match, with the value most likely meant."""
    errors = []
    if region is not None and not filters.region_exists(region):
        near = filters.region_suggestion(region)
        hint = f"did you mean {near}?" if near else "use an ISO 3166 code such as UA or UA-63"
        errors.append(field_error("query.region", f"{region!r} is not an ISO 3166 code", hint))
    for field, value, valid in (
        ("event_type", event_type, filters.event_types()),
        ("topic", topic, filters.topics()),
    ):
        if value is not None and value not in valid:
            near = closest(value, valid)
            hint = f"did you mean {near!r}?" if near else f"one of: {', '.join(valid)}"
            errors.append(
                field_error(f"query.{field}", f"{value!r} is not a known {field.replace('_', ' ')}", hint)
            )
    return errors


@router.get("/v1/stories", response_model=Stories, responses={503: {}})
async def list_stories(
    request: Request,
    caller: Annotated[Principal, Depends(principal)],
    region: Annotated[
        str | None, Query(description="ISO 3166 code; a country matches its subdivisions (UA: UA-63).")
    ] = None,
    event_type: Annotated[str | None, Query(description="An event type of subscription.v1.")] = None,
    topic: Annotated[str | None, Query(description="A topic id of subscription.v1.")] = None,
    since: Annotated[
        str | None,
        Query(
            description=SINCE_DOC + " Compared with the story's last_seen.",
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 100,
) -> Stories:
    """Stories the caller's alerts were about (every tenant's for the admin), newest last_seen first.

    Filters combine with AND."""
    after = parse_since(since)
    errors = check_query(region, event_type, topic)
    if errors:
        raise Problem(
            422, f"{errors[0]['field']}: {errors[0]['message']}", kind="invalid-request", errors=errors
        )
    if cursor is not None:
        check_cursor(cursor)
    page = await run_in_threadpool(
        _store(request).list_stories,
        tenant=None if caller.admin else caller.tenant,
        query=StoryQuery(region, event_type, topic),
        since=after,
        cursor=cursor,
        limit=limit,
    )
    return Stories(items=[StorySummary(**_summary(s)) for s in page.items], cursor=page.cursor)


@router.get("/v1/stories/{story_id}", response_model=StoryDetail, responses={404: {}, 503: {}})
async def get_story(
    story_id: str, request: Request, caller: Annotated[Principal, Depends(principal)]
) -> StoryDetail:
    """A story with its members, a summary of their events and the caller's alerts about it."""
    found = await run_in_threadpool(
        _store(request).story_detail, story_id, None if caller.admin else caller.tenant
    )
    if found is None:
        raise Problem(404, f"no story {story_id}")
    s = found.story
    events = distinct_events(s.members)
    return StoryDetail(
        **_summary(s),
        members=[_member(m) for m in sorted(s.members, key=lambda m: (m.published_at or "", m.article_id))],
        events=StoryEvents(
            counts=dict(Counter(e["type"] for e in events)), casualties=casualties(s.members), items=events
        ),
        alerts=[_out(a) for a in found.alerts],
    )
