"""The inbox pages: the queue, one conversation, and the forms that answer, assign, note, take
offline and change its state. Thin: the writes are in inbox/actions.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.engagement.inbox import actions, figures, filing, playbook, presence, queue
from strata.engagement.inbox.models import Conversation, SavedView
from strata.engagement.models import HeardItem
from strata.platforms.registry import adapter_for
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.settings_parts import settings_url
from strata.strategy.store import current_plan

PER_PAGE = 30
SLA_WORDS = {
    "on_time": "on time",
    "about_to_breach": "due soon",
    "breached": "late",
    "met": "answered in time",
    "breached_then_answered": "answered late",
    "cancelled": "no answer needed",
    "none": "",
}


def _access(request: HttpRequest, slug: str, permission: str = "inbox.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _conversation(access: Access, conversation_id: int) -> Conversation:
    found = Conversation.objects.filter(workspace=access.workspace, pk=conversation_id).first()
    if found is None:
        raise Http404("no such conversation")
    return found


@login_required
@require_GET
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    plan = current_plan(access.workspace).plan
    me = actions.member_person(plan, access.user)
    chosen = queue.filter_for(plan, request.GET, me)
    found = queue.conversations(access.workspace, chosen)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    rows = [_row(plan, c) for c in page.object_list]
    query = urlencode({k: v for k, v in chosen.values.items() if v and k != "me"})
    context = {
        "access": access,
        "slug": slug,
        "f": chosen,
        "page": page,
        "rows": rows,
        "query": query,
        "plan": plan,
        "states": [(s, _state_word(s)) for s in queue.STATE_CHOICES],
        "sla_choices": [("unanswered", "unanswered"), ("soon", "due soon"), ("breached", "late")],
        "sentiments": queue.SENTIMENTS,
        "intents": queue.INTENTS,
        "me": me,
        "may_answer": actions.may_answer(access),
        "topics": list(queue.topics_of(plan)),
        "views": SavedView.objects.filter(workspace=access.workspace, user=access.user).order_by("name"),
    }
    template = "engagement/inbox/_queue.html" if request.headers.get("HX-Request") else "engagement/inbox/inbox.html"
    return render(request, template, context)


def _state_word(state: str) -> str:
    if state == queue.QUEUE:
        return "to answer (new and open)"
    if state == "all":
        return "every state"
    return str(Conversation.State(state).label)


def _row(plan: PlanDocument, conversation: Conversation) -> dict[str, Any]:
    newest = conversation.items.order_by("-heard_at", "-pk").first()
    sla = filing.sla_state(conversation)
    return {"c": conversation, "newest": newest, "sla": sla, "sla_word": SLA_WORDS[sla], "person": _person(plan, conversation.assignee)}


def _person(plan: PlanDocument, person_id: str) -> str:
    return next((p.name for p in plan.people if p.id == person_id), person_id)


@login_required
@require_GET
def conversation(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    access = _access(request, slug)
    found = _conversation(access, conversation_id)
    return render(request, "engagement/inbox/conversation.html", _conversation_context(access, found))


def _conversation_context(access: Access, found: Conversation, **extra: Any) -> dict[str, Any]:
    plan = current_plan(access.workspace).plan
    theirs = list(found.items.order_by("heard_at", "pk").prefetch_related("reactions"))
    for item in theirs:
        item.done_reactions = {r.kind for r in item.reactions.all() if r.remote_id}  # type: ignore[attr-defined]
    above = _thread_above(found, theirs)
    answers = list(found.answers.select_related("variant", "author").order_by("created_at"))
    earlier = (
        Conversation.objects.filter(workspace=access.workspace, platform=found.platform, author_id=found.author_id)
        .exclude(pk=found.pk)
        .order_by("-last_inbound_at")[:10]
    )
    rule = next((r for r in plan.response_plan if r.id == found.rule_id), None)
    sla = filing.sla_state(found)
    zone = ZoneInfo(plan.workspace.timezone)
    return {
        "access": access,
        "slug": access.workspace.slug,
        "c": found,
        "plan": plan,
        "rule": rule,
        "above": above,
        "theirs": theirs,
        "timeline": _timeline(theirs, answers, list(found.notes.select_related("author")), list(found.events.select_related("actor"))),
        "earlier": earlier,
        "sla": sla,
        "sla_word": SLA_WORDS[sla],
        "person": _person(plan, found.assignee),
        "suggestion": extra.pop("text", None) or playbook.suggestion(plan, found),
        "may_answer": actions.may_answer(access),
        "reaction_kinds": actions.REACTIONS,
        "direct_messages": bool((adapter := adapter_for(found.platform)) and adapter.direct_messages),
        "states": [s for s in Conversation.State.values if s != Conversation.State.OFFLINE],
        "contact": found.get_contact() if actions.may_answer(access) else "",
        "tomorrow": (dt.datetime.now(zone) + dt.timedelta(days=1)).date().isoformat(),
        **extra,
    }


def _thread_above(found: Conversation, theirs: list[HeardItem]) -> list[HeardItem]:
    """The posts above what they said, root first: what they were answering (often the brand's
    own post), fetched as context when their reply was heard."""
    chain: list[HeardItem] = []
    known = {i.remote_id for i in theirs}
    parent = theirs[0].parent_id if theirs else ""
    seen: set[str] = set()
    while parent and parent not in known and parent not in seen and len(chain) < 20:
        seen.add(parent)
        item = HeardItem.objects.filter(workspace=found.workspace, platform=found.platform, remote_id=parent).first()
        if item is None:
            break
        chain.append(item)
        parent = item.parent_id
    return chain[::-1]


def _timeline(theirs: list[HeardItem], answers: list[Any], notes: list[Any], events: list[Any]) -> list[dict[str, Any]]:
    entries = [{"kind": "theirs", "at": i.heard_at, "item": i} for i in theirs]
    entries += [{"kind": "answer", "at": a.created_at, "answer": a} for a in answers]
    entries += [{"kind": "note", "at": n.created_at, "note": n} for n in notes]
    entries += [{"kind": "event", "at": e.at, "event": e} for e in events if e.kind not in ("note", "answered")]
    return sorted(entries, key=lambda e: e["at"])


def _back(slug: str, found: Conversation) -> HttpResponse:
    return redirect(reverse("inbox-conversation", args=[slug, found.pk]))


def _failed(request: HttpRequest, access: Access, found: Conversation, exc: ActionError, **extra: Any) -> HttpResponse:
    context = _conversation_context(access, found, **extra)
    context["errors"] = {exc.field or "form": exc.message}
    return render(request, "engagement/inbox/conversation.html", context, status=exc.status)


@login_required
@require_POST
def reply(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    access = actions.answer_access(request.user, slug)  # type: ignore[arg-type]
    found = _conversation(access, conversation_id)
    text = request.POST.get("text", "")
    try:
        actions.answer(
            conversation=found, actor=access.user, text=text, done=request.POST.get("done") == "1", direct=request.POST.get("direct") == "1"
        )
    except ActionError as exc:
        return _failed(request, access, found, exc, text=text)
    messages.success(request, "Answer sent: it goes out as a reply in their thread within seconds.")
    return _back(slug, found)


def _act(request: HttpRequest, slug: str, conversation_id: int, do: Callable[[Conversation, Access], object]) -> HttpResponse:
    """One of the conversation page's small forms: check who may answer, act, go back (or show
    the page again with the refusal beside its field)."""
    access = actions.answer_access(request.user, slug)  # type: ignore[arg-type]
    found = _conversation(access, conversation_id)
    try:
        do(found, access)
    except ActionError as exc:
        return _failed(request, access, found, exc)
    return _back(slug, found)


@login_required
@require_POST
def assign(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    person = request.POST.get("assignee", "").strip()
    return _act(request, slug, conversation_id, lambda found, access: actions.assign(conversation=found, actor=access.user, person=person))


@login_required
@require_POST
def state(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    chosen = request.POST.get("state", "").strip()
    return _act(
        request, slug, conversation_id, lambda found, access: actions.set_state(conversation=found, actor=access.user, state=chosen)
    )


@login_required
@require_POST
def note(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    text = request.POST.get("text", "")
    return _act(request, slug, conversation_id, lambda found, access: actions.add_note(conversation=found, actor=access.user, text=text))


@login_required
@require_POST
def offline(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    access = actions.answer_access(request.user, slug)  # type: ignore[arg-type]
    found = _conversation(access, conversation_id)
    raw_date = request.POST.get("follow_up", "").strip()
    try:
        follow_up = _follow_up(raw_date, current_plan(access.workspace).plan.workspace.timezone)
        actions.take_offline(conversation=found, actor=access.user, contact=request.POST.get("contact", ""), follow_up_at=follow_up)
    except ActionError as exc:
        return _failed(request, access, found, exc)
    messages.success(request, "Taken offline: it leaves the queue and comes back on its follow-up date.")
    return _back(slug, found)


def _follow_up(raw: str, timezone: str) -> dt.datetime | None:
    """A date in the workspace's zone, at 09:00 there (the start of a working day)."""
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ActionError(f"'{raw[:20]}' is not a date: expected YYYY-MM-DD", field="follow_up_at") from None
    return dt.datetime.combine(day, dt.time(9), tzinfo=ZoneInfo(timezone))


@login_required
@require_POST
def settings_save(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug, "workspace.manage")
    secret = request.POST.get("alert_secret", "")
    try:
        actions.save_settings(
            workspace=access.workspace,
            others_may_answer=bool(request.POST.get("others_may_answer")),
            alert_webhook=request.POST.get("alert_webhook", ""),
            alert_secret=secret if secret else None,
        )
    except ActionError as exc:
        messages.error(request, f"Inbox settings not saved: {exc.message}.")
    else:
        messages.success(request, "Inbox settings saved.")
    return redirect(settings_url(slug, "inbox"))


@login_required
@require_POST
def react(request: HttpRequest, slug: str, conversation_id: int, item_id: int) -> HttpResponse:
    access = actions.answer_access(request.user, slug)  # type: ignore[arg-type]
    found = _conversation(access, conversation_id)
    item = found.items.filter(pk=item_id).first()
    if item is None:
        raise Http404("no such item in this conversation")
    try:
        reaction = actions.react(item=item, actor=access.user, kind=request.POST.get("kind", ""))
    except ActionError as exc:
        return _failed(request, access, found, exc)
    if reaction.error:
        messages.error(request, f"Not done: {reaction.error}. Try again when the platform answers.")
    return _back(slug, found)


@login_required
@require_GET
def presence_view(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    """Marks the asker as here (and writing, when the page says so); answers who else is."""
    access = _access(request, slug)
    found = _conversation(access, conversation_id)
    presence.mark(found.pk, access.user, writing=request.GET.get("writing") == "1" and actions.may_answer(access))
    others = presence.others(found.pk, access.workspace.pk, access.user)
    return render(request, "engagement/inbox/_presence.html", {"others": others})


@login_required
@require_POST
def bulk(request: HttpRequest, slug: str) -> HttpResponse:
    """The queue's bulk bar: assign the chosen conversations, or change their state."""
    access = actions.answer_access(request.user, slug)  # type: ignore[arg-type]
    ids = [int(i) for i in request.POST.getlist("ids") if i.isascii() and i.isdigit() and len(i) < 12]
    what = request.POST.get("action", "")
    try:
        if what == "assign":
            done = actions.bulk(workspace=access.workspace, actor=access.user, ids=ids, assignee=request.POST.get("assignee", "").strip())
        elif what == "label":
            done = actions.bulk(workspace=access.workspace, actor=access.user, ids=ids, label=request.POST.get("label", ""))
        else:
            done = actions.bulk(workspace=access.workspace, actor=access.user, ids=ids, state=what or None)
    except ActionError as exc:
        messages.error(request, f"Nothing was changed: {exc.message}.")
    else:
        messages.success(request, f"{done} conversation{'s' if done != 1 else ''} changed.")
    back = request.POST.get("back", "")
    return redirect(reverse("inbox", args=[slug]) + ("?" + back if back and len(back) < 1000 and "//" not in back else ""))


FIGURE_DAYS = (7, 30, 90)


@login_required
@require_GET
def figures_page(request: HttpRequest, slug: str) -> HttpResponse:
    """How the inbox keeps the response plan: per channel, responder and rule."""
    access = _access(request, slug)
    raw = request.GET.get("days", "30")
    days = int(raw) if raw in {str(d) for d in FIGURE_DAYS} else 30
    plan = current_plan(access.workspace).plan
    names = {p.id: p.name for p in plan.people}
    groups: dict[str, list[figures.Figures]] = {"channel": [], "responder": [], "rule": []}
    for f in figures.sla_figures(access.workspace, days=days):
        groups[f.by].append(f)
    context = {"access": access, "slug": slug, "days": days, "choices": FIGURE_DAYS, "groups": groups, "names": names}
    return render(request, "engagement/inbox/figures.html", context)


@login_required
@require_POST
def views_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Save the inbox's current filters under a name, or delete a saved view (`delete`)."""
    access = _access(request, slug)
    query = request.POST.get("query", "")[:1000]
    if request.POST.get("delete", "").isdigit():
        actions.delete_view(workspace=access.workspace, user=access.user, view_id=int(request.POST["delete"]))
        return redirect(reverse("inbox", args=[slug]))
    try:
        view = actions.save_view(workspace=access.workspace, user=access.user, name=request.POST.get("view_name", ""), query=query)
    except ActionError as exc:
        messages.error(request, f"The view was not saved: {exc.message}.")
        return redirect(reverse("inbox", args=[slug]) + ("?" + query if query else ""))
    messages.success(request, f"Saved as “{view.name}”.")
    return redirect(reverse("inbox", args=[slug]) + "?" + view.query)
