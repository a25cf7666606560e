"""Pages for posts: compose, the post and its workflow, channels."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.platforms.registry import adapter_for
from strata.publishing import actions
from strata.publishing.actions import PostInput
from strata.publishing.compose import Image, form_to_input, options, parse_local, preview
from strata.publishing.mix import MixWarning
from strata.publishing.models import ChannelAccount, Media, Notification, Post
from strata.publishing.planlink import PlanLink
from strata.publishing.similarity import similar_pairs
from strata.strategy.settings_parts import link_settings, settings_url


def _access(request: HttpRequest, slug: str, permission: str = "post.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _post(access: Access, post_id: int) -> Post:
    post = Post.objects.filter(workspace=access.workspace, pk=post_id).first()
    if post is None:
        raise Http404("no such post")
    return post


@login_required
def compose(request: HttpRequest, slug: str) -> HttpResponse:
    """A new post: the editor beside the live preview. Adding an image saves the draft first
    (an image belongs to a saved variant), and the page goes on as that draft's editor."""
    access = _access(request, slug, "post.write")
    return _compose_page(request, access, None)


@login_required
def edit(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    access = _access(request, slug, "post.write")
    return _compose_page(request, access, _post(access, post_id))


def _compose_page(request: HttpRequest, access: Access, post: Post | None) -> HttpResponse:
    """The compose form for a new post (`post` None) or a saved one. An htmx request answers
    the preview; a submit saves, then does what its button asked: add or remove an image, or
    publish now. Each of these saves the text first, in the same transaction."""
    link = PlanLink.of(access.workspace)
    media = _media(post)
    images = {
        c: [Image(reverse("post-media-file", args=[access.workspace.slug, m.variant.post_id, m.pk]), m.alt) for m in ms]
        for c, ms in media.items()
    }
    error, status, mix_warning = "", 200, False
    if request.method == "POST":
        data = form_to_input(request.POST, link)
        if request.headers.get("HX-Request"):
            shown = preview(access.workspace, data, link, images) if data.variants else None
            return render(request, "publishing/_preview.html", {"preview": shown})
        try:
            with transaction.atomic():
                saved = _save_and_act(request, access, post, data)
        except MixWarning as warning:
            error, status, mix_warning = warning.message, warning.status, True
        except ActionError as exc:
            error, status = exc.message, exc.status
        else:
            return saved
        values: Any = request.POST
    elif post is None:
        values = {}
    else:
        values = {"title": post.title, "objective": post.objective_id, "pillar": post.pillar_id, "kind": post.kind}
        for v in post.variants.all():
            values.update(
                {f"text.{v.channel_id}": v.text, f"link.{v.channel_id}": v.link, f"thread.{v.channel_id}": "\n---\n".join(v.thread)}
            )
    typed = form_to_input(values, link) if values else None
    may_publish = access.may("post.approve") and access.may("post.schedule") and (post is None or post.state in EDITABLE)
    context = {
        "access": access,
        "opts": options(link),
        "values": values,
        "preview": preview(access.workspace, typed, link, images) if typed and typed.variants else None,
        "error": link_settings(error, access) if error else "",
        "post": post,
        "media": media,
        "images": images,
        "may_media": access.may("post.media"),
        "may_publish": may_publish,
        "mix_warning": mix_warning,
    }
    return render(request, "publishing/compose.html", context, status=status)


EDITABLE = (Post.State.DRAFT, Post.State.IN_REVIEW)


def _media(post: Post | None) -> dict[str, list[Media]]:
    """A saved post's images, per channel, in the order they were added."""
    found: dict[str, list[Media]] = {}
    if post is not None:
        for m in Media.objects.filter(variant__post=post).select_related("variant").order_by("pk"):
            found.setdefault(m.variant.channel_id, []).append(m)
    return found


def _save_and_act(request: HttpRequest, access: Access, post: Post | None, data: PostInput) -> HttpResponse:
    """Save the form (a new draft, or the post's changes), then what the pressed button asked."""
    slug, new = access.workspace.slug, post is None
    if post is None:
        post = actions.create_post(workspace=access.workspace, actor=access.user, data=data)
    else:
        post = actions.update_post(post=post, actor=access.user, data=data)
    add_to, remove = request.POST.get("add_image", ""), request.POST.get("remove_image", "")
    if add_to or remove:
        access.require("post.media")
        edit_url = reverse("post-edit", args=[slug, post.pk])
        if add_to:
            if not any(v.channel_id == add_to for v in data.variants):
                raise ActionError(f"write the text for {add_to} first: an image goes with a channel's message", field=f"text.{add_to}")
            upload = request.FILES.get(f"image.{add_to}")
            if upload is None:
                raise ActionError(f"choose an image for {add_to} first", field=f"image.{add_to}")
            data_bytes = upload.read(actions.MAX_IMAGE_BYTES + 1)
            actions.add_media(post=post, actor=access.user, channel_id=add_to, data=data_bytes, alt=request.POST.get(f"alt.{add_to}", ""))
            messages.success(request, "Image added; the draft is saved.")
            return redirect(f"{edit_url}#images-{add_to}")
        channel = (
            Media.objects.filter(variant__post=post, pk=int(remove) if remove.isdigit() else 0)
            .values_list("variant__channel_id", flat=True)
            .first()
        )
        actions.remove_media(post=post, actor=access.user, media_id=int(remove) if remove.isdigit() else 0)
        messages.success(request, "Image removed; the draft is saved.")
        return redirect(f"{edit_url}#images-{channel}")
    if request.POST.get("publish"):
        if not (access.may("post.approve") and access.may("post.schedule")):
            access.require("post.schedule")
            access.require("post.approve")
        actions.publish_now(post=post, actor=access.user, approve_first=True, accept_mix_warning=bool(request.POST.get("accept_mix")))
        _publishing_messages(request, post)
        return redirect("post-detail", slug=slug, post_id=post.pk)
    messages.success(request, "Draft saved. Send it for review when it is ready." if new else "Saved.")
    return redirect("post-detail", slug=slug, post_id=post.pk)


def _publishing_messages(request: HttpRequest, post: Post) -> None:
    messages.success(request, "Publishing now: it goes out within a minute.")
    for text in actions.schedule_warnings(post):
        messages.warning(request, text)


@login_required
def detail(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    access = _access(request, slug)
    post = _post(access, post_id)
    link = PlanLink.of(access.workspace)
    variants = list(post.variants.prefetch_related("attempt_rows", "media"))
    context: dict[str, Any] = {
        "access": access,
        "post": post,
        "variants": variants,
        "events": post.events.select_related("actor"),
        "problems": actions.rule_problems(post),
        "not_connected": actions.channel_warnings(access.workspace, (v.channel_id for v in variants if v.state != v.State.PUBLISHED)),
        "copies": similar_pairs((v.channel_id, v.text) for v in variants),
        "kind": link.kind_of(post.kind, post.pillar_id),
        "serves": link.serves_objective(post.objective_id, post.pillar_id),
        "may": {p.split(".")[1]: access.may(p) for p in ("post.write", "post.approve", "post.schedule", "post.media")},
        "tz": access.workspace.timezone,
        "mix_warning": request.session.pop("mix_warning", None),
    }
    return render(request, "publishing/detail.html", context)


@login_required
@require_POST
def transition(request: HttpRequest, slug: str, post_id: int, action: str) -> HttpResponse:
    permission = {
        "submit": "post.write",
        "approve": "post.approve",
        "send_back": "post.approve",
        "comment": "post.view",
        "schedule": "post.schedule",
        "unschedule": "post.schedule",
        "went_out": "post.schedule",
        "did_not_go_out": "post.schedule",
    }.get(action)
    if permission is None:
        raise Http404("no such action")
    access = _access(request, slug, permission)
    post = _post(access, post_id)
    try:
        if action == "submit":
            actions.submit(post=post, actor=access.user)
        elif action == "approve":
            actions.approve(post=post, actor=access.user)
        elif action == "send_back":
            actions.send_back(post=post, actor=access.user, comment=request.POST.get("text", ""))
        elif action == "comment":
            actions.comment(post=post, actor=access.user, text=request.POST.get("text", ""))
        elif action == "unschedule":
            actions.unschedule(post=post, actor=access.user)
        elif action in ("went_out", "did_not_go_out"):
            channel = request.POST.get("channel", "")
            actions.settle_unconfirmed(post=post, actor=access.user, channel_id=channel, went_out=action == "went_out")
        else:
            at = parse_local(request.POST.get("at", ""), access.workspace.timezone)
            if at is None:
                raise ActionError("choose a date and time", field="at")
            actions.schedule(post=post, actor=access.user, at=at, accept_mix_warning=bool(request.POST.get("accept_mix")))
    except MixWarning as warning:
        request.session["mix_warning"] = {"message": warning.message, "at": request.POST.get("at", "")}
    except ActionError as exc:
        messages.error(request, link_settings(exc.message, access))  # "Settings › Publishing" as a link, for an owner
    else:
        messages.success(
            request,
            {
                "submit": "Sent for review.",
                "approve": "Approved.",
                "send_back": "Sent back to draft.",
                "comment": "Comment added.",
                "schedule": "Scheduled.",
                "unschedule": "Taken off the calendar.",
                "went_out": "Marked as published.",
                "did_not_go_out": "Marked as not sent; schedule it again when you are ready.",
            }[action],
        )
        if action == "schedule":
            for text in actions.schedule_warnings(post):
                messages.warning(request, text)
    return redirect("post-detail", slug=slug, post_id=post.pk)


@login_required
def channels(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    link = PlanLink.of(access.workspace)
    error, error_field, status = "", "", 200
    if request.method == "POST":
        access = _access(request, slug, "channel.connect")
        try:
            actions.connect_channel(
                workspace=access.workspace,
                actor=access.user,
                channel_id=request.POST.get("channel", ""),
                service=request.POST.get("service", "").strip().rstrip("/"),
                handle=request.POST.get("handle", "").strip(),
                secret=request.POST.get("secret", ""),
            )
        except ActionError as exc:  # beside the field it is about: the address, the handle or the secret
            error, error_field, status = exc.message, exc.field or "", 422
        else:
            messages.success(request, "Channel connected.")
            return redirect("channels", slug=slug)
    accounts = {a.channel_id: a for a in ChannelAccount.objects.filter(workspace=access.workspace)}
    rows = [(c, accounts.get(c.id), adapter_for(c.platform) is not None) for c in link.plan.channels]
    return render(
        request,
        "publishing/channels.html",
        {
            "access": access,
            "rows": rows,
            "error": error,
            "error_field": error_field,
            "may_connect": access.may("channel.connect"),
            "values": request.POST,
        },
        status=status,
    )


@login_required
def csv_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Import posts from CSV (dry run first, then import the checked file), or download them all."""
    from strata.publishing import csvio

    access = _access(request, slug)
    if request.GET.get("download"):
        response = HttpResponse(csvio.export(access.workspace), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slug}-posts.csv"'
        return response
    report, status, upload, kept, file_error = None, 200, request.FILES.get("file"), None, ""
    may_schedule = access.may("post.approve") and access.may("post.schedule")
    if request.method == "POST":
        access = _access(request, slug, "post.write")
        schedule = bool(request.POST.get("schedule")) and may_schedule
        # A new file wins; without one, the file this person checked last (kept server-side).
        kept = None if upload else csvio.checked(workspace=access.workspace, actor=access.user, checked_id=request.POST.get("checked", ""))
        raw = upload.read(csvio.MAX_BYTES + 1) if upload else bytes(kept.data) if kept else None
        if raw is None:
            file_error = (
                "The checked file is no longer kept (an hour has passed, or you checked another); choose it again."
                if request.POST.get("checked")
                else "Choose a CSV file first."
            )
            status = 422
        elif request.POST.get("confirm"):
            try:
                made = csvio.import_posts(workspace=access.workspace, actor=access.user, raw=raw, schedule=schedule, checked=kept)
            except ActionError as exc:
                messages.error(request, exc.message)
                status = 422
            else:
                messages.success(request, f"Imported {len(made)} post{'s' if len(made) != 1 else ''}.")
                return redirect("calendar", slug=slug)
        if raw is not None:
            report = csvio.read(access.workspace, raw, schedule=schedule)
            status = 422 if report.errors else status
            if not report.errors and upload is not None:
                kept = csvio.keep_checked(workspace=access.workspace, actor=access.user, name=upload.name or "posts.csv", raw=raw)
            elif report.errors:
                kept = None
    return render(
        request,
        "publishing/csv.html",
        {
            "access": access,
            "report": report,
            "columns": csvio.COLUMNS,
            "may_schedule": may_schedule,
            "kept": kept,
            "file_error": file_error,
            "schedule": bool(request.POST.get("schedule")),
        },
        status=status,
    )


@login_required
@require_POST
def media_add(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    access = _access(request, slug, "post.media")
    post = _post(access, post_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ActionError("choose an image", field="file")
        actions.add_media(
            post=post,
            actor=access.user,
            channel_id=request.POST.get("channel", ""),
            data=upload.read(actions.MAX_IMAGE_BYTES + 1),
            alt=request.POST.get("alt", ""),
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Image added.")
    return redirect("post-detail", slug=slug, post_id=post.pk)


@login_required
@require_POST
def media_alt(request: HttpRequest, slug: str, post_id: int, media_id: int) -> HttpResponse:
    access = _access(request, slug, "post.media")
    post = _post(access, post_id)
    try:
        actions.change_alt(post=post, actor=access.user, media_id=media_id, alt=request.POST.get("alt", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Alt text saved.")
    return redirect("post-detail", slug=slug, post_id=post.pk)


@login_required
@require_POST
def media_remove(request: HttpRequest, slug: str, post_id: int, media_id: int) -> HttpResponse:
    access = _access(request, slug, "post.media")
    post = _post(access, post_id)
    try:
        actions.remove_media(post=post, actor=access.user, media_id=media_id)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Image removed.")
    return redirect("post-detail", slug=slug, post_id=post.pk)


@login_required
def media_file(request: HttpRequest, slug: str, post_id: int, media_id: int) -> HttpResponse:
    """An image of a post, for the members of its workspace. Only PNG, JPEG, GIF and WebP are
    ever stored (add_media checks the bytes), and it is sent as what it is, never sniffed."""
    access = _access(request, slug)
    media = Media.objects.filter(variant__post__workspace=access.workspace, variant__post_id=post_id, pk=media_id).first()
    if media is None:
        raise Http404("no such image")
    with media.file.open("rb") as handle:  # at most actions.MAX_IMAGE_BYTES
        response = HttpResponse(handle.read(), content_type=media.mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def publish_now(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Publish an approved (or failed, missed) post now; a draft or a post in review too, for
    someone who may approve it. The same checks as scheduling, then the publisher takes it."""
    access = _access(request, slug, "post.schedule")
    post = _post(access, post_id)
    if post.state in EDITABLE:
        access.require("post.approve")
    try:
        actions.publish_now(post=post, actor=access.user, approve_first=True, accept_mix_warning=bool(request.POST.get("accept_mix")))
    except MixWarning as warning:
        request.session["mix_warning"] = {"message": warning.message, "at": "", "now": True}
    except ActionError as exc:
        messages.error(request, link_settings(exc.message, access))
    else:
        _publishing_messages(request, post)
    return redirect("post-detail", slug=slug, post_id=post.pk)


@login_required
@require_POST
def settings_save(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug, "workspace.manage")
    settings = actions.settings_for(access.workspace)
    settings.allow_posts_without_objective = bool(request.POST.get("allow_posts_without_objective"))
    minutes = request.POST.get("missed_after_minutes", "")
    if not (minutes.isascii() and minutes.isdigit()) or not 1 <= int(minutes) <= 10080:  # "²".isdigit(), but int() refuses it
        messages.error(request, "Missed after: a number of minutes from 1 to 10080 (a week).")
    else:
        settings.missed_after_minutes = int(minutes)
        settings.save(update_fields=["allow_posts_without_objective", "missed_after_minutes"])
        messages.success(request, "Publishing settings saved.")
    return redirect(settings_url(slug, "publishing"))


@login_required
@require_POST
def notification_done(request: HttpRequest, slug: str, notification_id: int) -> HttpResponse:
    access = _access(request, slug, "post.schedule")
    from django.utils.timezone import now

    Notification.objects.filter(workspace=access.workspace, pk=notification_id, resolved_at=None).update(resolved_at=now())
    # Back to the page the button was on: the overview's panel or the calendar (never an address from the form).
    return redirect("plan-overview" if request.POST.get("next") == "overview" else "calendar", slug=slug)
