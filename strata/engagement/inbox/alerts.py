"""Alerts before and at an answer's due time, and an escalation if it is still owed.

A sweep (run by `strata ingest` after filing) looks at conversations whose warning time has
come and moves each up one step at most per sweep: warned (due soon) → late (at the due time) →
escalated (still owed `warn_before` after it). A step is claimed with a conditional update
before anything is sent, so that two sweeps never send one alert twice. Each alert goes by
e-mail to the person concerned and, when the workspace set one, to its alert webhook, signed
like publishing's webhooks (X-Strata-Signature: sha256=HMAC of the body)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils.timezone import now

from strata.engagement.inbox.models import Conversation, ConversationEvent, InboxSettings
from strata.platforms import egress
from strata.platforms.webhook.adapter import sign
from strata.strategy.plan.schema import PlanDocument, duration_minutes
from strata.strategy.store import current_plan

log = logging.getLogger(__name__)

WARNED, LATE, ESCALATED = "warned", "breached", "escalated"
STEPS = ("", WARNED, LATE, ESCALATED)
TIMEOUT = 5.0
BATCH = 200


def due_step(conversation: Conversation, plan: PlanDocument, at: dt.datetime) -> str:
    """The step the conversation has reached at `at`, whatever was sent so far."""
    if conversation.due_at is None:
        return ""
    margin = dt.timedelta(minutes=duration_minutes(plan.support.warn_before))
    if at >= conversation.due_at + margin:
        return ESCALATED
    if at >= conversation.due_at:
        return LATE
    if conversation.warn_at is not None and at >= conversation.warn_at:
        return WARNED
    return ""


def sweep(at: dt.datetime | None = None) -> int:
    """Send the alerts that are due; the number sent."""
    at = at or now()
    owed = Q(answered_at__isnull=True) | Q(answered_at__lt=F("last_inbound_at"))
    waiting = (
        Conversation.objects.filter(owed, state__in=[Conversation.State.NEW, Conversation.State.OPEN], warn_at__lte=at)
        .exclude(alerted=ESCALATED)
        .select_related("workspace")
        .order_by("due_at")[:BATCH]
    )
    sent = 0
    for conversation in waiting:
        plan = current_plan(conversation.workspace).plan
        reached = due_step(conversation, plan, at)
        if STEPS.index(reached) <= STEPS.index(conversation.alerted):
            continue
        step = STEPS[STEPS.index(conversation.alerted) + 1]  # one step a sweep: nobody misses "late"
        claimed = Conversation.objects.filter(pk=conversation.pk, alerted=conversation.alerted).update(alerted=step)
        if not claimed:
            continue  # another sweep took it
        conversation.alerted = step
        sent += _send(conversation, plan, step)
    return sent


def _send(conversation: Conversation, plan: PlanDocument, step: str) -> int:
    person = _recipient(conversation, plan, step)
    name = next((p.name for p in plan.people if p.id == person), person)
    email = next((p.email for p in plan.people if p.id == person and p.email), None)
    subject, text = _words(conversation, plan, step, name)
    if email:
        try:
            send_mail(subject=subject, message=text, from_email=None, recipient_list=[email])
        except OSError as exc:  # the mail server is down: the inbox still shows the clock
            log.warning("alert for conversation %s not e-mailed: %s", conversation.pk, exc)
    _webhook(conversation, step, person, subject)
    ConversationEvent.objects.create(conversation=conversation, kind=f"alert-{step}", text=f"{subject} (told {name or 'nobody'})")
    return 1


def _recipient(conversation: Conversation, plan: PlanDocument, step: str) -> str:
    if step != ESCALATED:
        return conversation.assignee
    rule = next((r for r in plan.response_plan if r.id == conversation.rule_id), None)
    return (rule.escalate_to if rule else None) or plan.support.escalate_to or plan.governance.ringleader or conversation.assignee


def _words(conversation: Conversation, plan: PlanDocument, step: str, name: str) -> tuple[str, str]:
    who = conversation.author_name or conversation.author_handle
    link = settings.SITE_URL.rstrip("/") + reverse("inbox-conversation", args=[conversation.workspace.slug, conversation.pk])
    due = conversation.due_at.astimezone(conversation.workspace.tzinfo).strftime("%a %d %b %H:%M %Z") if conversation.due_at else ""
    if step == WARNED:
        subject = f"Due soon: an answer to {who} on {conversation.channel_id}, by {due}"
    elif step == LATE:
        subject = f"Late: {who} on {conversation.channel_id} has waited past {due}"
    else:
        subject = f"Escalated: {who} on {conversation.channel_id} is still unanswered, due {due}"
    assigned = f"assigned to {conversation.assignee}" if conversation.assignee else "assigned to nobody"
    text = f"{subject}.\n\nThe conversation is {assigned}.\nOpen it: {link}\n"
    return subject, text


def _webhook(conversation: Conversation, step: str, person: str, subject: str) -> None:
    config = InboxSettings.objects.filter(workspace_id=conversation.workspace_id).first()
    if config is None or not config.alert_webhook:
        return
    body = json.dumps(
        {
            "event": f"inbox.{step}",
            "workspace": conversation.workspace.slug,
            "conversation": conversation.pk,
            "channel": conversation.channel_id,
            "due_at": conversation.due_at.isoformat() if conversation.due_at else None,
            "assignee": conversation.assignee or None,
            "told": person or None,
            "summary": subject,
        }
    ).encode()
    headers = {"content-type": "application/json", "x-strata-signature": sign(config.secret(), body)}
    try:
        with egress.guard():  # an address the workspace typed is not trusted to be outside
            httpx.post(config.alert_webhook, content=body, headers=headers, timeout=TIMEOUT)
    except (httpx.HTTPError, egress.EgressRefused, OSError) as exc:
        log.warning("alert webhook for conversation %s failed: %s", conversation.pk, exc)
