"""The inbox over the API: conversations, their items, answers and notes; answering, assigning,
noting and changing state; and the SLA figures per channel, responder and rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from strata.accounts.scoping import Access, workspace_access
from strata.engagement.inbox import actions, figures, filing, queue
from strata.engagement.inbox.models import Conversation
from strata.strategy.store import current_plan

router = Router(tags=["inbox"])


class InboxFilters(Schema):
    state: str = Field(default=queue.QUEUE, max_length=20, description="queue (new and open, the default), a state, or all")
    sla: str = Field(default="", max_length=20, description="unanswered, soon or breached")
    sentiment: str = Field(default="", max_length=20)
    intent: str = Field(default="", max_length=20)
    channel: str = Field(default="", max_length=64)
    topic: str = Field(default="", max_length=64, description="a listening topic of the plan: what matched its queries")
    label: str = Field(default="", max_length=40, description="a label the team gave")
    assignee: str = Field(default="", max_length=64, description="a person id of the plan, me, or nobody")
    sort: str = Field(default="sla", max_length=10, description="sla (due first) or newest")
    q: str = Field(default="", max_length=100)
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


class ItemOut(Schema):
    id: int
    kind: str
    remote_id: str
    url: str | None
    text: str
    heard_at: dt.datetime
    sentiment: str | None
    intents: list[str]


class AnswerOut(Schema):
    id: int
    text: str
    state: str  # the delivery's: scheduled, publishing, published, failed, unconfirmed
    remote_id: str | None
    author: str | None
    created_at: dt.datetime


class NoteOut(Schema):
    id: int
    text: str
    author: str | None
    created_at: dt.datetime


class ConversationOut(Schema):
    id: int
    channel: str
    platform: str
    thread_id: str
    author_handle: str
    author_name: str
    state: str
    sla: str
    due_at: dt.datetime | None
    first_answered_at: dt.datetime | None
    rule: str | None
    action: str
    assignee: str | None
    sentiment: str | None
    intents: list[str]
    labels: list[str]
    last_inbound_at: dt.datetime


class ConversationDetailOut(ConversationOut):
    items: list[ItemOut]
    answers: list[AnswerOut]
    notes: list[NoteOut]
    suggestion: str


class ReplyIn(Schema):
    text: str = Field(max_length=5000)
    done: bool = False
    direct: bool = Field(default=False, description="privately, as a direct message (Mastodon); 422 where the platform has none")


class AssignIn(Schema):
    assignee: str = Field(max_length=64, description="a person id of the plan; empty to unassign")


class StateIn(Schema):
    state: str = Field(max_length=20)


class NoteIn(Schema):
    text: str = Field(max_length=actions.MAX_NOTE)


class FiguresOut(Schema):
    by: str
    key: str
    conversations: int
    answered: int
    response_rate: float
    median_first_minutes: float | None
    p90_first_minutes: float | None
    within_sla: float | None
    unanswered_negative: int


def _access(request: HttpRequest, slug: str, permission: str = "inbox.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _conversation(access: Access, conversation_id: int) -> Conversation:
    found = Conversation.objects.filter(workspace=access.workspace, pk=conversation_id).first()
    if found is None:
        raise Http404("no such conversation")
    return found


def _out(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.pk,
        "channel": c.channel_id,
        "platform": c.platform,
        "thread_id": c.thread_id,
        "author_handle": c.author_handle,
        "author_name": c.author_name,
        "state": c.state,
        "sla": filing.sla_state(c),
        "due_at": c.due_at,
        "first_answered_at": c.first_answered_at,
        "rule": c.rule_id or None,
        "action": c.action,
        "assignee": c.assignee or None,
        "sentiment": c.sentiment or None,
        "intents": list(c.intents),
        "labels": list(c.labels),
        "last_inbound_at": c.last_inbound_at,
    }


def _detail(access: Access, c: Conversation) -> dict[str, Any]:
    from strata.engagement.inbox import playbook

    plan = current_plan(access.workspace).plan
    return {
        **_out(c),
        "items": [
            {
                "id": i.pk,
                "kind": i.kind,
                "remote_id": i.remote_id,
                "url": i.url or None,
                "text": i.text,
                "heard_at": i.heard_at,
                "sentiment": i.shown_sentiment or None,
                "intents": i.shown_intents,
            }
            for i in c.items.order_by("heard_at", "pk")
        ],
        "answers": [
            {
                "id": a.pk,
                "text": a.variant.text,
                "state": a.variant.state,
                "remote_id": a.variant.remote_id or None,
                "author": str(a.author) if a.author else None,
                "created_at": a.created_at,
            }
            for a in c.answers.select_related("variant", "author").order_by("created_at")
        ],
        "notes": [
            {"id": n.pk, "text": n.text, "author": str(n.author) if n.author else None, "created_at": n.created_at}
            for n in c.notes.select_related("author").order_by("created_at")
        ],
        "suggestion": playbook.suggestion(plan, c),
    }


@router.get("/workspaces/{slug}/inbox", response=list[ConversationOut])
def list_conversations(request: HttpRequest, slug: str, filters: Query[InboxFilters]) -> list[dict[str, Any]]:
    """The inbox, due first by default; each filter as on the inbox page. An unknown filter value
    is refused (422), not ignored."""
    access = _access(request, slug)
    plan = current_plan(access.workspace).plan
    me = actions.member_person(plan, access.user)
    params = filters.dict()
    chosen = queue.filter_for(plan, params, me)
    if chosen.errors:
        from strata.accounts.actions import ActionError

        raise ActionError(chosen.errors[0].replace(": it was left out", ""), field="filters")
    found = queue.conversations(access.workspace, chosen)[filters.offset : filters.offset + filters.limit]
    return [_out(c) for c in found]


@router.get("/workspaces/{slug}/inbox/figures", response=list[FiguresOut])
def sla_figures(request: HttpRequest, slug: str, days: int = Query(30, ge=1, le=366)) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """Response rate, median and p90 first-response time (business and plain time alike are
    counted in plain minutes here), share answered within SLA and unanswered negatives, per
    channel, responder and rule, over the last `days` days."""
    access = _access(request, slug)
    return [f.as_dict() for f in figures.sla_figures(access.workspace, days=days)]


@router.get("/workspaces/{slug}/inbox/{conversation_id}", response=ConversationDetailOut)
def get_conversation(request: HttpRequest, slug: str, conversation_id: int) -> dict[str, Any]:
    """One conversation: what they said, the brand's answers, the team's notes, and the reply the
    playbook suggests."""
    access = _access(request, slug)
    return _detail(access, _conversation(access, conversation_id))


@router.post("/workspaces/{slug}/inbox/{conversation_id}/reply", response=ConversationDetailOut)
def reply(request: HttpRequest, slug: str, conversation_id: int, body: ReplyIn) -> dict[str, Any]:
    """Answer in the thread (responders, strategists, owners). It goes out through the publisher,
    exactly once; the answer's `state` says when it has."""
    access = actions.answer_access(request.user, slug)  # type: ignore[arg-type]
    found = _conversation(access, conversation_id)
    actions.answer(conversation=found, actor=access.user, text=body.text, done=body.done, direct=body.direct)
    return _detail(access, found)


@router.post("/workspaces/{slug}/inbox/{conversation_id}/assign", response=ConversationOut)
def assign(request: HttpRequest, slug: str, conversation_id: int, body: AssignIn) -> dict[str, Any]:
    access = actions.answer_access(request.user, slug)  # type: ignore[arg-type]
    return _out(actions.assign(conversation=_conversation(access, conversation_id), actor=access.user, person=body.assignee.strip()))


@router.post("/workspaces/{slug}/inbox/{conversation_id}/state", response=ConversationOut)
def set_state(request: HttpRequest, slug: str, conversation_id: int, body: StateIn) -> dict[str, Any]:
    access = actions.answer_access(request.user, slug)  # type: ignore[arg-type]
    return _out(actions.set_state(conversation=_conversation(access, conversation_id), actor=access.user, state=body.state.strip()))


@router.post("/workspaces/{slug}/inbox/{conversation_id}/notes", response=NoteOut)
def add_note(request: HttpRequest, slug: str, conversation_id: int, body: NoteIn) -> dict[str, Any]:
    access = actions.answer_access(request.user, slug)  # type: ignore[arg-type]
    note = actions.add_note(conversation=_conversation(access, conversation_id), actor=access.user, text=body.text)
    return {"id": note.pk, "text": note.text, "author": str(note.author) if note.author else None, "created_at": note.created_at}
