"""Posts and channel connections over the API: the same actions as the pages and the CLI."""

from __future__ import annotations

from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.publishing import actions, listing
from strata.publishing.models import Post
from strata.publishing.schema import ConnectIn, OutcomeIn, PostIn, PostOut, ScheduledOut, ScheduleIn, VariantOut

router = Router(tags=["posts"])


def _access(request: HttpRequest, slug: str, permission: str = "post.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _post(access: Access, post_id: int) -> Post:
    post = Post.objects.filter(workspace=access.workspace, pk=post_id).prefetch_related("variants").first()
    if post is None:
        raise Http404("no such post")
    return post


def _out(post: Post) -> PostOut:
    return PostOut(
        id=post.pk,
        title=post.title,
        state=post.state,
        objective=post.objective_id or None,
        pillar=post.pillar_id or None,
        kind=post.kind,
        scheduled_at=post.scheduled_at,
        deleted_at=post.deleted_at,
        is_reply=post.is_reply,
        variants=[
            VariantOut(
                channel=v.channel_id,
                platform=v.platform,
                text=v.text,
                link=v.link,
                thread=v.thread,
                state=v.state,
                uri=v.remote_id or None,
                url=v.remote_url or None,
                error=v.last_error or None,
                reply_to=v.reply_to or None,
                direct=v.direct,
            )
            for v in post.variants.all()
        ],
    )


@router.get("/workspaces/{slug}/posts", response=list[PostOut])
def list_posts(
    request: HttpRequest,
    slug: str,
    state: str = "",
    q: Annotated[str, Query(max_length=listing.MAX_QUERY, description="words in the title or in any variant's text")] = "",
    channel: Annotated[str, Query(max_length=64, description="a channel id of the plan")] = "",
    objective: Annotated[str, Query(max_length=64)] = "",
    pillar: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=10, description="scheduled on or after this day (YYYY-MM-DD, the workspace's zone)")] = "",
    until: Annotated[str, Query(max_length=10, description="scheduled on or before this day (YYYY-MM-DD)")] = "",
    sort: Annotated[str, Query(max_length=12, description=f"one of {', '.join(listing.SORTS)}; '-' is descending")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[PostOut]:
    """The workspace's posts that are not deleted, each with its variants and, once published,
    the platform's URI: searched, filtered and ordered as the posts list does (by scheduled
    time, earliest first, unless `sort` says otherwise), `limit` at a time from `offset`. 422
    for a filter that names nothing (a state, channel, objective or pillar the plan lacks)."""
    access = _access(request, slug)
    params = {"state": state, "q": q, "channel": channel, "objective": objective, "pillar": pillar, "since": since}
    selection = listing.read(access.workspace, {**params, "until": until, "sort": sort})
    if selection.errors:
        name, message = selection.errors[0]
        raise ActionError(message, field=name)
    posts = listing.posts(access.workspace, selection).prefetch_related("variants")
    return [_out(p) for p in posts[offset : offset + limit]]


@router.post("/workspaces/{slug}/posts", response={201: PostOut})
def create_post(request: HttpRequest, slug: str, payload: PostIn) -> Status[PostOut]:
    """Write a draft: one variant per channel (writers: editors, strategists, owners)."""
    access = _access(request, slug, "post.write")
    data = actions.PostInput(
        variants=[actions.VariantInput(v.channel, v.text, v.link, tuple(v.thread)) for v in payload.variants],
        title=payload.title,
        objective_id=payload.objective,
        pillar_id=payload.pillar,
        kind=payload.kind,
    )
    post = actions.create_post(workspace=access.workspace, actor=access.user, data=data)
    return Status(201, _out(_post(access, post.pk)))


@router.get("/workspaces/{slug}/posts/{post_id}", response=PostOut)
def get_post(request: HttpRequest, slug: str, post_id: int) -> PostOut:
    """One post; a deleted one too, with `deleted_at` set (its history is kept)."""
    access = _access(request, slug)
    return _out(_post(access, post_id))


@router.delete("/workspaces/{slug}/posts/{post_id}", response={204: None})
def delete_post(request: HttpRequest, slug: str, post_id: int) -> Status[None]:
    """Delete a post that has not gone out (writers): it leaves the calendar, the list and the
    mix, nothing of it is sent, and it stays readable here with its history. 409 when it was
    published (or may have been), is being published, or was deleted already."""
    access = _access(request, slug, "post.write")
    actions.delete_post(post=_post(access, post_id), actor=access.user)
    return Status(204, None)


@router.post("/workspaces/{slug}/posts/{post_id}/duplicate", response={201: PostOut})
def duplicate_post(request: HttpRequest, slug: str, post_id: int) -> Status[PostOut]:
    """A new draft with the same variants, objective and pillar, titled "Copy of …", without a
    time (writers). Answers the copy."""
    access = _access(request, slug, "post.write")
    copy = actions.duplicate_post(post=_post(access, post_id), actor=access.user)
    return Status(201, _out(_post(access, copy.pk)))


@router.post("/workspaces/{slug}/posts/{post_id}/submit", response=PostOut)
def submit(request: HttpRequest, slug: str, post_id: int) -> PostOut:
    """Send a draft for review."""
    access = _access(request, slug, "post.write")
    actions.submit(post=_post(access, post_id), actor=access.user)
    return _out(_post(access, post_id))


@router.post("/workspaces/{slug}/posts/{post_id}/approve", response=PostOut)
def approve(request: HttpRequest, slug: str, post_id: int) -> PostOut:
    """Approve (strategists and owners). 422 when it serves no objective or breaks a platform rule."""
    access = _access(request, slug, "post.approve")
    actions.approve(post=_post(access, post_id), actor=access.user)
    return _out(_post(access, post_id))


@router.post("/workspaces/{slug}/posts/{post_id}/schedule", response=ScheduledOut)
def schedule(request: HttpRequest, slug: str, post_id: int, payload: ScheduleIn) -> ScheduledOut:
    """Schedule an approved post. 409 when it would push promotion over the mix target, unless
    accept_mix_warning is true. `warnings` names each channel it is due on that is not
    connected: scheduled all the same, the post would fail there at its time."""
    access = _access(request, slug, "post.schedule")
    if payload.at.tzinfo is None:
        raise ActionError("the time needs a time zone offset, e.g. 2026-12-01T09:00:00+01:00", field="at")
    actions.schedule(post=_post(access, post_id), actor=access.user, at=payload.at, accept_mix_warning=payload.accept_mix_warning)
    post = _post(access, post_id)
    return ScheduledOut(**_out(post).model_dump(), warnings=actions.schedule_warnings(post))


@router.post("/workspaces/{slug}/posts/{post_id}/variants/{channel_id}/outcome", response=PostOut)
def settle_unconfirmed(request: HttpRequest, slug: str, post_id: int, channel_id: str, payload: OutcomeIn) -> PostOut:
    """Say whether an unconfirmed variant went out. If it did not, it is 'failed' and the post
    may be scheduled again; 409 when the variant is not unconfirmed."""
    access = _access(request, slug, "post.schedule")
    actions.settle_unconfirmed(post=_post(access, post_id), actor=access.user, channel_id=channel_id, went_out=payload.went_out)
    return _out(_post(access, post_id))


@router.put("/workspaces/{slug}/channels/{channel_id}/connection", response={204: None})
def connect(request: HttpRequest, slug: str, channel_id: str, payload: ConnectIn) -> Status[None]:
    """Connect a channel of the plan to its account (strategists and owners); the secret is
    checked with the platform, then stored encrypted and never returned."""
    access = _access(request, slug, "channel.connect")
    actions.connect_channel(
        workspace=access.workspace,
        actor=access.user,
        channel_id=channel_id,
        service=payload.service.rstrip("/"),
        handle=payload.handle,
        secret=payload.secret,
    )
    return Status(204, None)
