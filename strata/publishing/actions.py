"""Every write to posts, variants and channel connections. Views, API, CLI and the worker call these."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.timezone import now

from strata.accounts.actions import ActionError, Conflict
from strata.accounts.models import User, Workspace
from strata.platforms import egress
from strata.platforms.base import Credentials, Limits, Part, PlatformError, Problem, excerpt
from strata.platforms.bluesky.tid import make_tid
from strata.platforms.failures import address_problem, connect_problem
from strata.platforms.registry import adapter_for
from strata.publishing.claims import settle_post
from strata.publishing.mix import MixWarning, mix_after
from strata.publishing.models import ChannelAccount, Media, Notification, Post, PostEvent, PublishingSettings, Variant
from strata.publishing.planlink import PlanLink
from strata.safeurl import WEB, problem

# What one post may hold, on every path (form, API, CSV, CLI). Platforms check their own, smaller
# limits separately (check_variant); these keep a person's mistake from reaching the database.
MAX_TEXT = 10_000  # characters per part of a thread
MAX_PARTS = 100
MAX_TITLE = 200  # Post.title's column
MAX_SERVICE = MAX_HANDLE = 300  # ChannelAccount's columns
# Where the service is not a web address: the newsletter's is smtp:// or smtps://.
SERVICE_SCHEMES = {"newsletter": frozenset({"smtp", "smtps"})}
# Nothing is planned further ahead; it also keeps a time zone shift inside what a datetime holds.
SCHEDULE_HORIZON = dt.timedelta(days=3653)


@dataclass(frozen=True)
class VariantInput:
    channel_id: str
    text: str
    link: str = ""
    thread: tuple[str, ...] = ()


@dataclass
class PostInput:
    variants: list[VariantInput]
    title: str = ""
    objective_id: str = ""
    pillar_id: str = ""
    kind: str = ""


def settings_for(workspace: Workspace) -> PublishingSettings:
    found, _ = PublishingSettings.objects.get_or_create(workspace=workspace)
    return found


def connect_channel(
    *, workspace: Workspace, actor: User | None, channel_id: str, service: str, handle: str, secret: str, verify: bool = True
) -> ChannelAccount:
    """Store the credentials of a channel the plan defines, after the platform accepted them."""
    link = PlanLink.of(workspace)
    channel = link.channels.get(channel_id)
    if channel is None:
        raise ActionError(f"the plan has no channel '{channel_id}' (it has: {', '.join(link.channels) or 'none'})", field="channel")
    adapter = adapter_for(channel.platform)
    if adapter is None:
        raise ActionError(f"Strata cannot publish to {channel.platform} yet", field="channel")
    if adapter.needs_secret and not secret.strip():
        raise ActionError("the password or token is empty", field="secret")
    _check_account(platform=channel.platform, service=service, handle=handle)
    if adapter.reaches_out:
        _check_service(service)
    remote = ""
    if verify:
        try:
            remote = adapter.verify(Credentials(service=service, handle=handle, secret=secret))
        except egress.EgressRefused as exc:  # the name now resolves elsewhere than a moment ago
            raise ActionError(exc.message, field="service") from None
        except PlatformError as exc:  # the address, the network or the credentials: failures.py says which
            message, field = connect_problem(exc, channel.platform)
            raise ActionError(message, field=field) from None
    account, _ = ChannelAccount.objects.get_or_create(workspace=workspace, channel_id=channel_id, defaults={"platform": channel.platform})
    account.platform, account.service, account.handle, account.remote_account = channel.platform, service, handle, remote
    account.set_secret(secret)
    account.connected_by, account.connected_at, account.broken, account.rate_limited_until = actor, now(), "", None
    account.save()
    return account


def _check_service(service: str) -> None:
    """The server's address must parse and be public (or allowed); checked again at every
    request by the adapters themselves (see platforms/egress.py)."""
    wrong = address_problem(service)
    if wrong is not None:
        raise ActionError(f"The server address {excerpt(service, 80)!r} is not valid: {wrong}.", field="service")
    try:
        host, _ = egress.host_and_port(service)
    except ValueError as exc:
        raise ActionError(f"the server address {excerpt(service, 80)!r} is not usable: {exc}", field="service") from None
    try:
        egress.check_service(service)
    except egress.EgressRefused as exc:
        raise ActionError(f"{host}: {exc.message}", field="service") from None


def _check_account(*, platform: str, service: str, handle: str) -> None:
    """The scheme and length of a channel's server address and handle (not where it points:
    the platform layer checks that when it connects)."""
    wrong = problem(service, schemes=SERVICE_SCHEMES.get(platform, WEB), max_length=MAX_SERVICE)
    if wrong:
        raise ActionError(f"the server address {wrong}", field="service")
    if len(handle) > MAX_HANDLE:
        raise ActionError(f"the handle is {len(handle):,} characters long; at most {MAX_HANDLE}", field="handle")


def _limits(workspace: Workspace, channel_id: str, platform: str) -> Limits | None:
    adapter = adapter_for(platform)
    if adapter is None:
        return None
    account = ChannelAccount.objects.filter(workspace=workspace, channel_id=channel_id).first()
    return adapter.limits(account.credentials() if account else None)


def check_variant(workspace: Workspace, variant: VariantInput, platform: str, *, reply_to: str = "") -> list[Problem]:
    """The platform's rules for this text, as the platform counts; with `reply_to`, also whether
    the platform can answer that post at all."""
    adapter = adapter_for(platform)
    if adapter is None:
        return [Problem("error", f"Strata cannot publish to {platform} yet")]
    limits = _limits(workspace, variant.channel_id, platform)
    assert limits is not None
    parts = tuple(Part(text=t, link=variant.link if i == 0 else "") for i, t in enumerate((variant.text, *variant.thread)))
    return adapter.check(parts, limits, reply_to)


def unconnected(workspace: Workspace, channel_ids: Iterable[str]) -> dict[str, str]:
    """The channels among `channel_ids` that a post could not go out on now, each with why: no
    account connected, an account that must be connected again, or a platform Strata cannot
    publish to. Delivery fails on each of these at the due time (see delivery.deliver)."""
    wanted = set(channel_ids)
    accounts = {a.channel_id: a for a in ChannelAccount.objects.filter(workspace=workspace, channel_id__in=wanted)}
    found = {}
    for channel_id in sorted(wanted):
        account = accounts.get(channel_id)
        if account is None:
            found[channel_id] = ""
        elif account.broken:
            found[channel_id] = f"it must be connected again ({excerpt(account.broken, 200)})"
        elif adapter_for(account.platform) is None:
            found[channel_id] = f"Strata cannot publish to {account.platform} yet"
    return found


def channel_warnings(workspace: Workspace, channel_ids: Iterable[str]) -> dict[str, str]:
    """The warning for each of `channel_ids` that is not connected, in the words every path uses."""
    return {
        channel_id: f"{channel_id} is not connected{f': {why}' if why else ''}. The post will fail there at its time"
        " unless someone connects the channel first (Connections page)."
        for channel_id, why in unconnected(workspace, channel_ids).items()
    }


def schedule_warnings(post: Post) -> list[str]:
    """What to tell whoever schedules `post` (form, calendar, API, CLI alike): each channel it
    is due on that is not connected, where it would fail at its time."""
    waiting = post.variants.exclude(state=Variant.State.PUBLISHED).values_list("channel_id", flat=True)
    return list(channel_warnings(post.workspace, waiting).values())


def create_post(*, workspace: Workspace, actor: User | None, data: PostInput) -> Post:
    link = PlanLink.of(workspace)
    _validate(link, data)
    with transaction.atomic():
        post = Post.objects.create(
            workspace=workspace,
            title=data.title,
            objective_id=data.objective_id,
            pillar_id=data.pillar_id,
            kind=data.kind,
            created_by=actor,
        )
        for variant in data.variants:
            Variant.objects.create(
                post=post,
                channel_id=variant.channel_id,
                platform=link.channels[variant.channel_id].platform,
                text=variant.text,
                link=variant.link,
                thread=list(variant.thread),
                keys=[make_tid() for _ in range(1 + len(variant.thread))],
            )
        PostEvent.objects.create(post=post, actor=actor, kind="created")
    return post


MAX_REPLY_TO = 500  # Variant.reply_to's column: a Bluesky at:// URI is far shorter


def create_reply(*, workspace: Workspace, actor: User | None, channel_id: str, text: str, reply_to: str, direct: bool = False) -> Variant:
    """Answer the platform's post `reply_to` (its id there: a Bluesky at:// URI, a Mastodon status
    id) on `channel_id`, now: a post of one variant that publish_now hands to delivery, so that
    it goes out exactly once like any post, as a real reply on the platform.

    A reply is checked against the platform's rules like a post (and refused where the platform
    cannot answer, as e-mail cannot), but it is not content of the plan: it needs no objective,
    does not count in the mix, and stays off the calendar and the lists (Post.is_reply)."""
    link = PlanLink.of(workspace)
    channel = link.channels.get(channel_id)
    if channel is None:
        raise ActionError(f"the plan has no channel '{channel_id}'", field="channel")
    reply_to = reply_to.strip()
    if not reply_to:
        raise ActionError("say which post this answers", field="reply_to")
    if len(reply_to) > MAX_REPLY_TO:
        raise ActionError(f"the address of the post being answered is over {MAX_REPLY_TO} characters long", field="reply_to")
    adapter = adapter_for(channel.platform)
    if direct and (adapter is None or not adapter.direct_messages):
        raise ActionError(f"{channel.platform} has no direct messages Strata can send: answer in public", field="direct")
    given = VariantInput(channel_id, text)
    check_content(given)
    errors = [p.message for p in check_variant(workspace, given, channel.platform, reply_to=reply_to) if p.severity == "error"]
    if errors:
        raise ActionError("; ".join(errors), field="text")
    # It goes out now: on a channel it cannot go out on, saying so beats a failure a moment later.
    missing = unconnected(workspace, [channel_id])
    if channel_id in missing:
        why = missing[channel_id]
        raise ActionError(f"{channel_id} is not connected{f': {why}' if why else ''}; connect it on the Connections page", field="channel")
    with transaction.atomic():
        # Written by whoever may answer, it needs no one's approval: it starts approved.
        post = Post.objects.create(workspace=workspace, state=Post.State.APPROVED, is_reply=True, created_by=actor)
        variant = Variant.objects.create(
            post=post, channel_id=channel_id, platform=channel.platform, text=text, reply_to=reply_to, direct=direct, keys=[make_tid()]
        )
        _event(post, actor, "created", f"a reply to {reply_to}")
        publish_now(post=post, actor=actor)
    variant.refresh_from_db()
    return variant


def _validate(link: PlanLink, data: PostInput) -> None:
    if not data.variants:
        raise ActionError("write the message for at least one channel", field="variants")
    seen = set()
    for variant in data.variants:
        if variant.channel_id not in link.channels:
            raise ActionError(f"the plan has no channel '{variant.channel_id}'", field="channel")
        if variant.channel_id in seen:
            raise ActionError(f"two variants for channel '{variant.channel_id}'; one message per channel", field="channel")
        seen.add(variant.channel_id)
        check_content(variant)
    if len(data.title) > MAX_TITLE:
        raise ActionError(f"the title is {len(data.title):,} characters long; at most {MAX_TITLE}", field="title")
    if data.objective_id and data.objective_id not in link.objectives:
        raise ActionError(f"the plan has no objective '{data.objective_id}'", field="objective")
    if data.pillar_id and data.pillar_id not in link.pillar_kinds:
        raise ActionError(f"the plan has no content pillar '{data.pillar_id}'", field="pillar")
    if data.kind and data.kind not in Post.Kind.values:
        raise ActionError("a post is social or promotional", field="kind")


def check_content(variant: VariantInput) -> None:
    """What every variant must be on any path, whatever its platform: a link that cannot run
    script when clicked, and texts of a size a database and a person can handle."""
    channel = variant.channel_id
    if variant.link:
        wrong = problem(variant.link)
        if wrong:
            raise ActionError(f"the link for {channel} {wrong}", field="link")
    if len(variant.thread) + 1 > MAX_PARTS:
        raise ActionError(f"the thread for {channel} has {len(variant.thread) + 1} parts; at most {MAX_PARTS}", field="thread")
    for number, text in enumerate((variant.text, *variant.thread), start=1):
        if len(text) > MAX_TEXT:
            where = f"part {number} of the thread" if number > 1 else "the text"
            raise ActionError(
                f"{where} for {channel} is {len(text):,} characters long; at most {MAX_TEXT:,}",
                field="thread" if number > 1 else "text",
            )


def check_schedule_time(at: dt.datetime) -> None:
    """A time a post may be scheduled at: with its time zone, not past, not beyond the horizon."""
    if at.tzinfo is None:
        raise ActionError("the time must carry its time zone", field="at")
    # Compared, never converted: an aware comparison cannot overflow, but turning 9999-12-31
    # 23:00-05:00 into UTC (or adding to it) leaves the range of a datetime.
    if at < now() - dt.timedelta(minutes=1):
        raise ActionError("that time has passed; choose a time in the future", field="at")
    if at > now() + SCHEDULE_HORIZON:
        raise ActionError(f"that is too far ahead; choose a time within {SCHEDULE_HORIZON.days // 365} years", field="at")


def update_post(*, post: Post, actor: User | None, data: PostInput) -> Post:
    """Change a post that is not approved yet: its fields and its variants, channel by channel."""
    link = PlanLink.of(post.workspace)
    _validate(link, data)
    with transaction.atomic():
        post = _locked(post)
        if post.state not in (Post.State.DRAFT, Post.State.IN_REVIEW):
            raise Conflict(
                f"only drafts and posts in review can be changed (this post is {post.get_state_display()}); send it back to draft first"
            )
        post.title, post.objective_id, post.pillar_id, post.kind = data.title, data.objective_id, data.pillar_id, data.kind
        post.save()
        wanted = {v.channel_id: v for v in data.variants}
        post.variants.exclude(channel_id__in=wanted).delete()
        existing = {v.channel_id: v for v in post.variants.all()}
        for channel_id, given in wanted.items():
            variant = existing.get(channel_id) or Variant(post=post, channel_id=channel_id, platform=link.channels[channel_id].platform)
            variant.text, variant.link, variant.thread = given.text, given.link, list(given.thread)
            if len(variant.keys) != 1 + len(given.thread):  # keys are chosen per part, before anything was sent
                variant.keys = [make_tid() for _ in range(1 + len(given.thread))]
            variant.save()
        _event(post, actor, "edited")
    return post


def _event(post: Post, actor: User | None, kind: str, text: str = "") -> None:
    PostEvent.objects.create(post=post, actor=actor, kind=kind, text=text)


def _locked(post: Post) -> Post:
    """The post, locked for this transaction; a deleted post takes no further step."""
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if locked.deleted_at is not None:
        raise Conflict("this post was deleted; its history is kept, but it can no longer change")
    return locked


def submit(*, post: Post, actor: User | None) -> Post:
    with transaction.atomic():
        post = _locked(post)
        if post.state != Post.State.DRAFT:
            raise Conflict(f"only a draft can be sent for review (this post is {post.get_state_display()})")
        post.state = Post.State.IN_REVIEW
        post.save(update_fields=["state", "updated_at"])
        _event(post, actor, "submitted")
    return post


def rule_problems(post: Post) -> dict[str, list[Problem]]:
    problems = {}
    for variant in post.variants.all():
        found = check_variant(
            post.workspace,
            VariantInput(variant.channel_id, variant.text, variant.link, tuple(variant.thread)),
            variant.platform,
            reply_to=variant.reply_to,
        )
        if found:
            problems[variant.channel_id] = found
    return problems


def approve(*, post: Post, actor: User | None) -> Post:
    """Approve a post in review (or a draft, for people who may approve)."""
    with transaction.atomic():
        post = _locked(post)
        if post.state not in (Post.State.DRAFT, Post.State.IN_REVIEW):
            raise Conflict(f"this post is {post.get_state_display()}, not waiting for approval")
        link = PlanLink.of(post.workspace)
        # A reply answers someone; it is not content of the plan, so it serves no objective by design.
        serves = post.is_reply or link.serves_objective(post.objective_id, post.pillar_id)
        if not serves and not settings_for(post.workspace).allow_posts_without_objective:
            raise ActionError(
                "this post serves no objective (directly or through its pillar); tie it to one, or have an owner allow such posts"
                " in Settings › Publishing",
                field="objective",
            )
        errors = {c: [p for p in ps if p.severity == "error"] for c, ps in rule_problems(post).items()}
        errors = {c: ps for c, ps in errors.items() if ps}
        if errors:
            raise ActionError("; ".join(f"{c}: {p.message}" for c, ps in errors.items() for p in ps))
        post.state = Post.State.APPROVED
        post.save(update_fields=["state", "updated_at"])
        _event(post, actor, "approved")
    return post


def send_back(*, post: Post, actor: User | None, comment: str) -> Post:
    with transaction.atomic():
        post = _locked(post)
        if post.state not in (Post.State.IN_REVIEW, Post.State.APPROVED):
            raise Conflict(f"this post is {post.get_state_display()}; only posts in review or approved go back to draft")
        post.state = Post.State.DRAFT
        post.save(update_fields=["state", "updated_at"])
        _event(post, actor, "sent_back", comment)
    return post


def comment(*, post: Post, actor: User | None, text: str) -> PostEvent:
    if not text.strip():
        raise ActionError("write a comment", field="text")
    return PostEvent.objects.create(post=post, actor=actor, kind="comment", text=text.strip()[:5000])


def schedule(*, post: Post, actor: User | None, at: dt.datetime, accept_mix_warning: bool = False) -> Post:
    """Schedule an approved post (or move a scheduled one) to `at`; or, when it failed or was
    missed, send what did not go out again at `at` (what was published stays published).

    Refuses a time in the past, and with MixWarning (409) when this post would push a channel's
    promotional share over the plan's target, unless the person accepted that warning."""
    check_schedule_time(at)
    with transaction.atomic():
        post = _locked(post)
        if post.state not in (Post.State.APPROVED, Post.State.SCHEDULED, Post.State.MISSED, Post.State.FAILED, Post.State.UNCONFIRMED):
            raise Conflict(f"only an approved post can be scheduled (this post is {post.get_state_display()})")
        variants = [v for v in post.variants.select_for_update() if v.state != Variant.State.PUBLISHED]
        if any(v.state == Variant.State.PUBLISHING for v in variants):
            raise Conflict("part of this post is being published right now; it cannot be moved")
        if any(v.state == Variant.State.UNCONFIRMED for v in variants):
            raise Conflict("part of this post may have gone out: say first whether it did")
        if not accept_mix_warning:
            over = mix_after(post, at)
            if over:
                raise MixWarning(over)
        was = post.scheduled_at
        post.state, post.scheduled_at = Post.State.SCHEDULED, at
        post.save(update_fields=["state", "scheduled_at", "updated_at"])
        for variant in variants:
            variant.state, variant.due_at, variant.next_attempt_at, variant.last_error = Variant.State.SCHEDULED, at, at, ""
            variant.save(update_fields=["state", "due_at", "next_attempt_at", "last_error"])
        _event(post, actor, "rescheduled" if was else "scheduled", at.isoformat())
        # Scheduled again, whatever failed or was missed is settled: the overview stops asking.
        _settle_notifications(post)
    return post


def _settle_notifications(post: Post) -> None:
    Notification.objects.filter(post=post, resolved_at=None).update(resolved_at=now())


def settle_unconfirmed(*, post: Post, actor: User | None, channel_id: str, went_out: bool) -> Variant:
    """A person's answer for a variant whose outcome Strata could not learn (an e-mail that may
    have been sent, a platform that never answered): it went out, or it did not, and then it
    is 'failed' and may be scheduled again."""
    with transaction.atomic():
        post = _locked(post)
        variant = post.variants.select_for_update().filter(channel_id=channel_id).first()
        if variant is None:
            raise ActionError(f"this post has no variant for '{channel_id}'", field="channel")
        if variant.state != Variant.State.UNCONFIRMED:
            raise Conflict(f"only a variant whose outcome is unknown can be settled (this one is {variant.get_state_display()})")
        variant.check_first = False  # a person has looked
        if went_out:
            variant.state, variant.published_at, variant.last_error = Variant.State.PUBLISHED, now(), ""
        else:
            variant.state, variant.last_error = Variant.State.FAILED, "it did not go out (a person checked); schedule it again"
        variant.save(update_fields=["state", "published_at", "last_error", "check_first"])
        _event(post, actor, "went_out" if went_out else "did_not_go_out", channel_id)
        with connection.cursor() as cursor:
            settle_post(cursor, post.pk, now())
        if not post.variants.filter(state__in=(Variant.State.FAILED, Variant.State.MISSED, Variant.State.UNCONFIRMED)).exists():
            _settle_notifications(post)
    return variant


def unschedule(*, post: Post, actor: User | None) -> Post:
    with transaction.atomic():
        post = _locked(post)
        if post.state != Post.State.SCHEDULED:
            raise Conflict("this post is not scheduled")
        updated = post.variants.filter(state=Variant.State.SCHEDULED).update(state=Variant.State.PENDING, next_attempt_at=None)
        if updated != post.variants.count():
            raise Conflict("part of this post is being published; it can no longer be taken back")
        post.state, post.scheduled_at = Post.State.APPROVED, None
        post.save(update_fields=["state", "scheduled_at", "updated_at"])
        _event(post, actor, "unscheduled")
    return post


IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF87a": "image/gif", b"GIF89a": "image/gif"}
MAX_IMAGE_BYTES = 1_000_000  # Bluesky's blob limit for images


def add_media(*, post: Post, actor: User | None, channel_id: str, data: bytes, alt: str, part: int = 0) -> Media:
    """Attach an image (with its alt text) to a variant that has not gone out yet."""
    if post.deleted_at is not None:
        raise Conflict("this post was deleted; its history is kept, but it can no longer change")
    variant = post.variants.filter(channel_id=channel_id).first()
    if variant is None:
        raise ActionError(f"this post has no variant for '{channel_id}'", field="channel")
    if variant.state not in (Variant.State.PENDING, Variant.State.SCHEDULED):
        raise Conflict("this variant is being published or was published; its media can no longer change")
    mime = next((m for magic, m in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    if mime is None:
        raise ActionError("this is not a PNG, JPEG, GIF or WebP image", field="file")
    if len(data) > MAX_IMAGE_BYTES:
        raise ActionError(f"the image is {len(data) / 1e6:.1f} MB; at most 1 MB", field="file")
    if not alt.strip():
        raise ActionError("describe the image for people who cannot see it (alt text)", field="alt")
    if part >= len(variant.parts):
        raise ActionError("that part of the thread does not exist", field="part")
    from django.core.files.base import ContentFile

    extension = mime.split("/")[1].replace("jpeg", "jpg")
    media = Media.objects.create(
        variant=variant,
        part=part,
        file=ContentFile(data, name=f"{variant.keys[0]}.{extension}"),
        mime=mime,
        alt=alt.strip()[:2000],
        added_by=actor,
    )
    _event(post, actor, "media", f"image for {channel_id}: {alt.strip()[:100]}")
    return media


def change_alt(*, post: Post, actor: User | None, media_id: int, alt: str) -> Media:
    """Describe an image again, while its variant has not gone out (the description goes with it)."""
    alt = alt.strip()
    if not alt:
        raise ActionError("describe the image for people who cannot see it (alt text)", field="alt")
    with transaction.atomic():
        post = _locked(post)
        media = Media.objects.filter(variant__post=post, pk=media_id).first()
        if media is None:
            raise ActionError("this post has no such image", field="media")
        variant = Variant.objects.select_for_update().get(pk=media.variant_id)
        if variant.state not in (Variant.State.PENDING, Variant.State.SCHEDULED):
            raise Conflict("this variant is being published or was published; its media can no longer change")
        media.alt = alt[:2000]
        media.save(update_fields=["alt"])
        _event(post, actor, "media_alt", f"image for {variant.channel_id} described as: {alt[:100]}")
    return media


def remove_media(*, post: Post, actor: User | None, media_id: int) -> None:
    """Take an image off a variant that has not gone out yet; its file goes once that is committed."""
    with transaction.atomic():
        post = _locked(post)
        media = Media.objects.filter(variant__post=post, pk=media_id).select_related("variant").first()
        if media is None:
            raise ActionError("this post has no such image", field="media")
        # Locked, so that a worker cannot claim the variant between this check and the delete.
        variant = Variant.objects.select_for_update().get(pk=media.variant_id)
        if variant.state not in (Variant.State.PENDING, Variant.State.SCHEDULED):
            raise Conflict("this variant is being published or was published; its media can no longer change")
        storage, name = media.file.storage, media.file.name
        media.delete()
        _event(post, actor, "media_removed", f"image for {variant.channel_id}: {media.alt[:100]}")
        transaction.on_commit(lambda: storage.delete(name))


def publish_now(*, post: Post, actor: User | None, approve_first: bool = False, accept_mix_warning: bool = False) -> Post:
    """Publish `post` now: scheduled at this moment, so that the publisher takes it on its next
    look, with every check scheduling makes (the mix, the time, the post's state). With
    `approve_first` (for a caller who may approve), a draft or a post in review is approved
    first, with approval's checks; either both happen or neither."""
    with transaction.atomic():
        if approve_first and post.state in (Post.State.DRAFT, Post.State.IN_REVIEW):
            post = approve(post=post, actor=actor)
        return schedule(post=post, actor=actor, at=now(), accept_mix_warning=accept_mix_warning)


def delete_post(*, post: Post, actor: User | None) -> Post:
    """Delete a post that has not gone out, keeping it and its history: it leaves the calendar,
    the lists and the mix, and the deletion is an event of its history.

    1. Lock the post and its variants; nothing already out (or perhaps out) may be deleted.
    2. Take its scheduled variants off the queue in the same conditional UPDATE unschedule
       uses: a variant a worker has claimed meanwhile is no longer 'scheduled', and then the
       post is not deleted (delivery's claim skips rows this transaction holds).
    3. Mark it deleted, record who and when, and settle what the overview was asking about it."""
    with transaction.atomic():
        post = _locked(post)
        variants = list(post.variants.select_for_update())
        out = sorted(v.channel_id for v in variants if v.state == Variant.State.PUBLISHED)
        if out:
            raise Conflict(
                f"this post was published on {', '.join(out)}; Strata keeps published posts as the record of what went out."
                " Take it down on the platform itself"
            )
        if any(v.state == Variant.State.UNCONFIRMED for v in variants):
            raise Conflict("part of this post may have gone out: say first whether it did")
        if any(v.state == Variant.State.PUBLISHING for v in variants):
            raise Conflict("part of this post is being published right now; it cannot be deleted")
        waiting = sum(1 for v in variants if v.state == Variant.State.SCHEDULED)
        taken = post.variants.filter(state=Variant.State.SCHEDULED).update(state=Variant.State.PENDING, next_attempt_at=None)
        if taken != waiting:
            raise Conflict("part of this post is being published; it can no longer be deleted")
        note = f"it was scheduled for {post.scheduled_at.isoformat()}" if post.state == Post.State.SCHEDULED and post.scheduled_at else ""
        if post.state == Post.State.SCHEDULED:  # off the calendar: a scheduled post always has scheduled variants
            post.state, post.scheduled_at = Post.State.APPROVED, None
        post.deleted_at = now()
        post.save(update_fields=["state", "scheduled_at", "deleted_at", "updated_at"])
        _event(post, actor, "deleted", note)
        _settle_notifications(post)
    return post


COPY_PREFIX = "Copy of "


def duplicate_post(*, post: Post, actor: User | None) -> Post:
    """A new draft with the same variants (texts, links, threads), objective, pillar and kind,
    titled "Copy of …", without a time. Its variants get idempotency keys of their own, so the
    copy can never be mistaken for the original on a platform. Both histories say so."""
    if post.is_reply:  # a copy would go out as a new post, answering nobody
        raise Conflict("a reply answers one conversation and cannot be copied; write a new post instead")
    title = COPY_PREFIX + post.label
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    with transaction.atomic():
        copy = Post.objects.create(
            workspace=post.workspace,
            title=title,
            objective_id=post.objective_id,
            pillar_id=post.pillar_id,
            kind=post.kind,
            created_by=actor,
        )
        for variant in post.variants.order_by("pk"):
            Variant.objects.create(
                post=copy,
                channel_id=variant.channel_id,
                platform=variant.platform,
                text=variant.text,
                link=variant.link,
                thread=list(variant.thread),
                keys=[make_tid() for _ in range(1 + len(variant.thread))],
            )
        _event(copy, actor, "created", f"duplicated from #{post.pk}")
        _event(post, actor, "duplicated", f"copied to #{copy.pk}")
    return copy


def bulk(*, posts: Iterable[Post], operation: Callable[[Post], object], done: str, refused: str) -> BulkResult:
    """Run `operation` on each post in its own transaction (one refusal does not undo the
    others) and collect each post's outcome, in the order given."""
    result = BulkResult(done=done, refused=refused)
    for post in posts:
        try:
            operation(post)
        except ActionError as exc:
            result.failures.append((post.label, exc.message))
        else:
            result.succeeded.append(post.label)
    return result


@dataclass
class BulkResult:
    """What a bulk action did, post by post: "3 approved; 'Winter sale' could not be approved: …"."""

    done: str  # "approved"
    refused: str  # "could not be approved"
    succeeded: list[str] = dataclasses.field(default_factory=list)
    failures: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def summary(self) -> str:
        parts = []
        if self.succeeded:
            count = len(self.succeeded)
            parts.append(f"{count} post{'s' if count != 1 else ''} {self.done}" if count > 1 else f"'{self.succeeded[0]}' {self.done}")
        parts += [f"'{label}' {self.refused}: {reason}" for label, reason in self.failures]
        return "; ".join(parts) + "." if parts else "Nothing was selected."


def schedule_at_chosen_time(*, post: Post, actor: User | None) -> Post:
    """Schedule `post` at the time chosen for it (its scheduled_at); refuse one without a time.
    A bulk action asks nobody about the mix, so a post that would push it over is refused."""
    if post.scheduled_at is None:
        raise ActionError("it has no time chosen yet; choose one on its page", field="at")
    if post.state == Post.State.SCHEDULED:
        raise Conflict("it is already scheduled")
    return schedule(post=post, actor=actor, at=post.scheduled_at)
