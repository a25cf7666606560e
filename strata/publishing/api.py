"""Posts and channel connections over the API: the same actions as the pages and the CLI."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router
from ninja.responses import Status

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.publishing import actions
from strata.publishing.models import Post
from strata.publishing.schema import ConnectIn, OutcomeIn, PostIn, PostOut, ScheduleIn, VariantOut

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
            )
            for v in post.variants.all()
        ],
    )


@router.get("/workspaces/{slug}/posts", response=list[PostOut])
def list_posts(request: HttpRequest, slug: str, state: str = "") -> list[PostOut]:
    """The workspace's posts, each with its variants and, once published, the platform's URI."""
    access = _access(request, slug)
    posts = Post.objects.filter(workspace=access.workspace).prefetch_related("variants").order_by("scheduled_at", "pk")
    if state:
        posts = posts.filter(state=state)
    return [_out(p) for p in posts[:1000]]


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
    access = _access(request, slug)
    return _out(_post(access, post_id))


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


@router.post("/workspaces/{slug}/posts/{post_id}/schedule", response=PostOut)
def schedule(request: HttpRequest, slug: str, post_id: int, payload: ScheduleIn) -> PostOut:
    """Schedule an approved post. 409 when it would push promotion over the mix target, unless
    accept_mix_warning is true."""
    access = _access(request, slug, "post.schedule")
    if payload.at.tzinfo is None:
        raise ActionError("the time needs a time zone offset, e.g. 2026-12-01T09:00:00+01:00", field="at")
    actions.schedule(post=_post(access, post_id), actor=access.user, at=payload.at, accept_mix_warning=payload.accept_mix_warning)
    return _out(_post(access, post_id))


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
