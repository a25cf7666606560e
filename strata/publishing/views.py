"""Pages for posts: compose, the post and its workflow, channels."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.platforms.registry import adapter_for
from strata.publishing import actions
from strata.publishing.compose import form_to_input, options, parse_local, preview
from strata.publishing.mix import MixWarning
from strata.publishing.models import ChannelAccount, Notification, Post
from strata.publishing.planlink import PlanLink
from strata.publishing.similarity import similar_pairs


def _access(request: HttpRequest, slug: str, permission: str = "post.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _post(access: Access, post_id: int) -> Post:
    post = Post.objects.filter(workspace=access.workspace, pk=post_id).first()
    if post is None:
        raise Http404("no such post")
    return post


@login_required
def compose(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug, "post.write")
    link = PlanLink.of(access.workspace)
    data = form_to_input(request.POST, link) if request.method == "POST" else None
    error, status = "", 200
    if data is not None and not request.headers.get("HX-Request"):
        try:
            post = actions.create_post(workspace=access.workspace, actor=access.user, data=data)
        except ActionError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, "Draft saved. Send it for review when it is ready.")
            return redirect("post-detail", slug=slug, post_id=post.pk)
    shown = preview(access.workspace, data, link) if data and data.variants else None
    context = {"access": access, "opts": options(link), "values": request.POST, "preview": shown, "error": error}
    template = "publishing/_preview.html" if request.headers.get("HX-Request") else "publishing/compose.html"
    return render(request, template, context, status=status)


@login_required
def edit(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    access = _access(request, slug, "post.write")
    post = _post(access, post_id)
    link = PlanLink.of(access.workspace)
    error, status = "", 200
    if request.method == "POST":
        data = form_to_input(request.POST, link)
        if request.headers.get("HX-Request"):
            return render(
                request, "publishing/_preview.html", {"preview": preview(access.workspace, data, link) if data.variants else None}
            )
        try:
            actions.update_post(post=post, actor=access.user, data=data)
        except ActionError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, "Saved.")
            return redirect("post-detail", slug=slug, post_id=post.pk)
        values: Any = request.POST
    else:
        values = {"title": post.title, "objective": post.objective_id, "pillar": post.pillar_id, "kind": post.kind}
        for v in post.variants.all():
            values.update(
                {f"text.{v.channel_id}": v.text, f"link.{v.channel_id}": v.link, f"thread.{v.channel_id}": "\n---\n".join(v.thread)}
            )
    context = {"access": access, "opts": options(link), "values": values, "preview": None, "error": error, "post": post}
    return render(request, "publishing/compose.html", context, status=status)


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
        messages.error(request, exc.message)
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
    return redirect("post-detail", slug=slug, post_id=post.pk)


@login_required
def channels(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    link = PlanLink.of(access.workspace)
    error, status = "", 200
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
        except ActionError as exc:
            error, status = exc.message, 422
        else:
            messages.success(request, "Channel connected.")
            return redirect("channels", slug=slug)
    accounts = {a.channel_id: a for a in ChannelAccount.objects.filter(workspace=access.workspace)}
    rows = [(c, accounts.get(c.id), adapter_for(c.platform) is not None) for c in link.plan.channels]
    return render(
        request,
        "publishing/channels.html",
        {"access": access, "rows": rows, "error": error, "may_connect": access.may("channel.connect"), "values": request.POST},
        status=status,
    )


@login_required
def csv_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Import posts from CSV (dry run first), or download them all."""
    from strata.publishing import csvio

    access = _access(request, slug)
    if request.GET.get("download"):
        response = HttpResponse(csvio.export(access.workspace), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slug}-posts.csv"'
        return response
    report, status, upload = None, 200, request.FILES.get("file")
    if request.method == "POST":
        access = _access(request, slug, "post.write")
        raw = upload.read(csvio.MAX_BYTES + 1) if upload else b""
        if request.POST.get("confirm"):
            schedule = bool(request.POST.get("schedule")) and access.may("post.approve") and access.may("post.schedule")
            try:
                made = csvio.import_posts(workspace=access.workspace, actor=access.user, raw=raw, schedule=schedule)
            except ActionError as exc:
                messages.error(request, exc.message)
                status = 422
            else:
                messages.success(request, f"Imported {len(made)} post(s).")
                return redirect("calendar", slug=slug)
        report = csvio.read(access.workspace, raw)
        status = 422 if report.errors else status
    return render(
        request,
        "publishing/csv.html",
        {
            "access": access,
            "report": report,
            "columns": csvio.COLUMNS,
            "may_schedule": access.may("post.approve") and access.may("post.schedule"),
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
    return redirect("channels", slug=slug)


@login_required
@require_POST
def notification_done(request: HttpRequest, slug: str, notification_id: int) -> HttpResponse:
    access = _access(request, slug, "post.schedule")
    from django.utils.timezone import now

    Notification.objects.filter(workspace=access.workspace, pk=notification_id, resolved_at=None).update(resolved_at=now())
    return redirect("calendar", slug=slug)
