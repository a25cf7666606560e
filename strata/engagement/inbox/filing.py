"""Filing what was heard into conversations, routed by the response plan.

Like labelling, filing is a sweep over what is not filed yet (ingest calls it after labels), so
that a crash between storing and filing costs a moment, never an unanswered message. Only what
someone said to the brand is filed: replies, mentions and quotes from its own accounts'
notifications, never likes or what listening overheard, never the brand's own words."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement.inbox import clock, routing
from strata.engagement.inbox.models import Answer, Conversation, ConversationEvent
from strata.engagement.models import HeardItem, Source
from strata.publishing.models import ChannelAccount, Variant
from strata.strategy.plan.schema import PlanDocument, Rule, duration_minutes
from strata.strategy.store import current_plan

ADDRESSED = (HeardItem.Kind.REPLY, HeardItem.Kind.MENTION, HeardItem.Kind.QUOTE)
BATCH = 500


def unfiled() -> Q:
    return Q(
        filed=False,
        context=False,
        deleted_at__isnull=True,
        kind__in=ADDRESSED,
        source__kind=Source.Kind.NOTIFICATIONS,
    ) & (~Q(sentiment="") | Q(text=""))  # labelled first: the rules route on the labels


def file_unfiled(limit: int = 5000) -> int:
    """File items heard but not yet in a conversation, oldest first; the number filed."""
    filed = 0
    while filed < limit:
        batch = list(HeardItem.objects.filter(unfiled()).select_related("workspace").order_by("pk")[: min(BATCH, limit - filed)])
        if not batch:
            break
        by_workspace: dict[int, list[HeardItem]] = defaultdict(list)
        for item in batch:
            by_workspace[item.workspace_id].append(item)
        for items in by_workspace.values():
            file_items(items[0].workspace, items)
        filed += len(batch)
    return filed


def file_items(workspace: Workspace, items: Iterable[HeardItem]) -> None:
    plan = current_plan(workspace).plan
    hours = business_hours(plan)
    ours = set(ChannelAccount.objects.filter(workspace=workspace).exclude(remote_account="").values_list("remote_account", flat=True))
    topics = {q.id: q.topic for q in plan.listening}
    with transaction.atomic():
        for item in items:
            if item.author_id in ours:
                # The brand's own words (an answer sent from here or from the app): not a
                # conversation, but its thread's clock stops if it answers one.
                HeardItem.objects.filter(pk=item.pk).update(filed=True)
                _answered_elsewhere(workspace, item)
                continue
            said = routing.Said(
                channel_id=item.channel_id,
                text=item.text,
                sentiment=item.shown_sentiment,
                intents=tuple(item.shown_intents),
                topics=tuple(topics[q] for q in item.matched_queries if q in topics),
            )
            conversation = _conversation(workspace, item)
            if conversation.pk is None:
                _begin(conversation, plan, hours, said, item)
            else:
                _continue(conversation, plan, hours, said, item)
            item.conversation = conversation
            HeardItem.objects.filter(pk=item.pk).update(conversation=conversation, filed=True)


def business_hours(plan: PlanDocument) -> clock.BusinessHours:
    support = plan.support
    return clock.BusinessHours.parse(
        plan.workspace.timezone, {str(k): v for k, v in support.hours.items()} if support.hours is not None else None, support.holidays
    )


def targets(hours: clock.BusinessHours, plan: PlanDocument, start: dt.datetime, within: str) -> tuple[dt.datetime, dt.datetime]:
    """When an answer is due (in business time), and when the inbox starts saying it soon is:
    `warn_before` of plain time before, so that "due soon" means what it says."""
    due = hours.due_in(start, within)
    return due, max(start, due - dt.timedelta(minutes=duration_minutes(plan.support.warn_before)))


def _conversation(workspace: Workspace, item: HeardItem) -> Conversation:
    thread = item.root_id or item.remote_id
    found = (
        Conversation.objects.select_for_update()
        .filter(workspace=workspace, platform=item.platform, thread_id=thread, author_id=item.author_id)
        .first()
    )
    return found or Conversation(workspace=workspace, platform=item.platform, thread_id=thread, author_id=item.author_id)


def _begin(conversation: Conversation, plan: PlanDocument, hours: clock.BusinessHours, said: routing.Said, item: HeardItem) -> None:
    route = routing.route(plan, said, item.heard_at)
    conversation.channel_id = item.channel_id
    conversation.author_handle, conversation.author_name = item.author_handle, item.author_name
    conversation.rule_id = route.rule.id if route.rule else ""
    conversation.action, conversation.assignee = route.action, route.assignee
    conversation.sentiment, conversation.intents = said.sentiment, list(said.intents)
    # The clock starts when Strata heard it: the platform's own time is the author's to set.
    conversation.started_at = conversation.last_inbound_at = item.heard_at
    if route.action == "ignore":
        conversation.state = Conversation.State.IGNORED
    else:
        conversation.due_at, conversation.warn_at = targets(hours, plan, item.heard_at, route.within)
    conversation.save()
    rule = f"the rule '{route.rule.id}'" if route.rule else "no rule (the workspace's default)"
    name = next((p.name for p in plan.people if p.id == route.assignee), route.assignee)
    who = f"to {name}" if route.assignee else "to nobody: the plan names no one for this channel"
    ConversationEvent.objects.create(
        conversation=conversation, kind="routed", text=f"Routed by {rule}: {route.action.replace('_', ' ')}, {who}"
    )


def _continue(conversation: Conversation, plan: PlanDocument, hours: clock.BusinessHours, said: routing.Said, item: HeardItem) -> None:
    owed = conversation.answered_at is None or conversation.answered_at < conversation.last_inbound_at
    conversation.last_inbound_at = max(conversation.last_inbound_at, item.heard_at)
    conversation.sentiment, conversation.intents = said.sentiment, list(said.intents)
    if conversation.state == Conversation.State.IGNORED:
        conversation.save()
        return
    if not owed:
        # They wrote again after the brand answered: the next-answer target starts now.
        rule = next((r for r in plan.response_plan if r.id == conversation.rule_id), None)
        within = routing.route(plan, said, item.heard_at).next_within if rule is None else _next_within(plan, rule)
        conversation.due_at, conversation.warn_at = targets(hours, plan, item.heard_at, within)
        conversation.alerted = ""
    if conversation.state in (Conversation.State.WAITING, Conversation.State.DONE, Conversation.State.OFFLINE):
        conversation.state = Conversation.State.OPEN
        ConversationEvent.objects.create(conversation=conversation, kind="reopened", text="They wrote again: back in the queue")
    conversation.save()


def _next_within(plan: PlanDocument, rule: Rule) -> str:
    return rule.next_within or rule.within or plan.support.default_within


def _answered_elsewhere(workspace: Workspace, item: HeardItem) -> None:
    """The brand answered in the platform's own app: the conversation it answers is answered."""
    if not item.parent_id:
        return
    parent = HeardItem.objects.filter(workspace=workspace, platform=item.platform, remote_id=item.parent_id).first()
    if parent is None or parent.conversation_id is None:
        return
    conversation = Conversation.objects.get(pk=parent.conversation_id)
    mark_answered(conversation, item.heard_at, by_whom="in the platform's app")


def mark_answered(conversation: Conversation, at: dt.datetime, *, by_whom: str) -> None:
    if conversation.due_at is not None and at > conversation.due_at:
        conversation.breached = True
    if conversation.first_answered_at is None:
        conversation.first_answered_at = at
    conversation.answered_at = at
    conversation.save()
    ConversationEvent.objects.create(conversation=conversation, kind="answered", text=f"Answered {by_whom}", at=at)


def sla_state(conversation: Conversation, at: dt.datetime | None = None) -> str:
    """on_time, about_to_breach, breached, met, breached_then_answered, cancelled or none."""
    owed = conversation.answered_at is None or conversation.answered_at < conversation.last_inbound_at
    return clock.sla_state(
        due_at=conversation.due_at,
        answered_at=None if owed else conversation.answered_at,
        warn_at=conversation.warn_at,
        now=at or now(),
        cancelled=conversation.state == Conversation.State.IGNORED,
    )


def failed_answers() -> int:
    """An answer the publisher could not send did not answer anyone: its conversation goes back
    to the queue, its clock runs again from the answer before it (if any), and its history says
    why. A failed answer still counted as the newest answer is one not taken yet."""
    failed = Answer.objects.filter(variant__state=Variant.State.FAILED, conversation__answered_at__gte=F("created_at"))
    reopened = 0
    for answer in failed.select_related("conversation", "variant")[:BATCH]:
        conversation = answer.conversation
        sent = conversation.answers.filter(variant__state=Variant.State.PUBLISHED).order_by("-created_at").first()
        conversation.answered_at = sent.created_at if sent else None
        if sent is None:
            conversation.first_answered_at = None
        if conversation.state in (Conversation.State.WAITING, Conversation.State.DONE):
            conversation.state = Conversation.State.OPEN
        conversation.save()
        why = answer.variant.last_error or "the platform refused it"
        ConversationEvent.objects.create(conversation=conversation, kind="answer-failed", text=f"The answer was not sent: {why}")
        reopened += 1
    return reopened


def follow_ups_due(at: dt.datetime | None = None) -> int:
    """A conversation taken offline comes back to the queue on its follow-up date, so that the
    promise made in private is kept; the number brought back."""
    at = at or now()
    due = Conversation.objects.filter(state=Conversation.State.OFFLINE, follow_up_at__lte=at)
    back = 0
    for conversation in due[:BATCH]:
        taken = Conversation.objects.filter(pk=conversation.pk, state=Conversation.State.OFFLINE).update(state=Conversation.State.OPEN)
        if taken:
            ConversationEvent.objects.create(conversation=conversation, kind="follow-up", text="Follow-up day: back in the queue")
            back += 1
    return back
