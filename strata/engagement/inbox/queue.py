"""The inbox's list: which conversations a filter keeps, in which order. Shared by the page,
the API and `strata inbox list`, so that each shows the same queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement.inbox.models import Conversation
from strata.strategy.plan.schema import PlanDocument

QUEUE = "queue"  # the default view: new and open, what the team owes
STATE_CHOICES = (QUEUE, *Conversation.State.values, "all")
SLA_CHOICES = ("unanswered", "soon", "breached")
SORTS = ("sla", "newest")
SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("question", "complaint", "praise", "purchase_intent", "spam")
FIELDS = ("state", "sla", "sentiment", "intent", "channel", "topic", "label", "assignee", "sort", "q")


@dataclass
class Filter:
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    topic_queries: list[str] = field(default_factory=list)  # the listening queries of the chosen topic

    @property
    def state(self) -> str:
        return self.values["state"] or QUEUE

    @property
    def sort(self) -> str:
        return self.values["sort"] or "sla"


def read_filter(
    params: Mapping[str, str], *, channels: list[str], people: list[str], me: str | None, topics: dict[str, list[str]] | None = None
) -> Filter:
    """Each value checked against what it may be; an unknown one is dropped with a word about it,
    so that a stale bookmark still shows a queue."""
    values = {name: str(params.get(name, "") or "").strip()[:100] for name in FIELDS}
    errors = []
    allowed = {
        "state": STATE_CHOICES,
        "sla": SLA_CHOICES,
        "sentiment": SENTIMENTS,
        "intent": INTENTS,
        "channel": tuple(channels),
        "topic": tuple(topics or {}),
        "assignee": (*people, "me", "nobody"),
        "sort": SORTS,
    }
    for name, choices in allowed.items():
        if values[name] and values[name] not in choices:
            errors.append(f"'{values[name][:40]}' is not a {name} here: it was left out")
            values[name] = ""
    if values["assignee"] == "me" and me is None:
        errors.append("you are not a person of the plan (no person has your e-mail address), so nothing is assigned to you")
    values["me"] = me or ""
    chosen = Filter(values, errors)
    chosen.topic_queries = (topics or {}).get(values["topic"], [])
    return chosen


def conversations(workspace: Workspace, chosen: Filter, at: dt.datetime | None = None) -> QuerySet[Conversation]:
    at = at or now()
    found = Conversation.objects.filter(workspace=workspace)
    state = chosen.state
    if state == QUEUE:
        found = found.filter(state__in=[Conversation.State.NEW, Conversation.State.OPEN])
    elif state != "all":
        found = found.filter(state=state)
    owed = Q(answered_at__isnull=True) | Q(answered_at__lt=F("last_inbound_at"))
    sla = chosen.values["sla"]
    if sla == "unanswered":
        found = found.filter(owed).exclude(state=Conversation.State.IGNORED)
    elif sla == "soon":
        found = found.filter(owed, warn_at__lte=at, due_at__gt=at).exclude(state=Conversation.State.IGNORED)
    elif sla == "breached":
        found = found.filter(owed, due_at__lte=at).exclude(state=Conversation.State.IGNORED)
    values = chosen.values
    if values["sentiment"]:
        found = found.filter(sentiment=values["sentiment"])
    if values["intent"]:
        found = found.filter(items__shown_intents_key__contains=f",{values['intent']},").distinct()
    if values["channel"]:
        found = found.filter(channel_id=values["channel"])
    if values["label"]:
        found = found.filter(labels_key__contains="," + " ".join(values["label"].split()).lower() + ",")
    if values["topic"]:
        matched = Q()
        for query_id in chosen.topic_queries:
            matched |= Q(items__matched_key__contains=f",{query_id},")
        found = found.filter(matched).distinct() if chosen.topic_queries else found.none()
    assignee = values["assignee"]
    if assignee == "me":
        found = found.filter(assignee=values["me"]) if values["me"] else found.none()
    elif assignee == "nobody":
        found = found.filter(assignee="")
    elif assignee:
        found = found.filter(assignee=assignee)
    if values["q"]:
        text = values["q"]
        found = found.filter(Q(author_handle__icontains=text) | Q(author_name__icontains=text) | Q(items__text__icontains=text)).distinct()
    if chosen.sort == "newest":
        return found.order_by("-last_inbound_at", "-pk")
    # SLA first: the soonest due of what is owed, then the rest newest first.
    return found.order_by(F("due_at").asc(nulls_last=True), "-last_inbound_at", "-pk")


def topics_of(plan: PlanDocument) -> dict[str, list[str]]:
    """Each listening topic of the plan and its queries' ids."""
    found: dict[str, list[str]] = {}
    for query in plan.listening:
        found.setdefault(query.topic, []).append(query.id)
    return found


def filter_for(plan: PlanDocument, params: Mapping[str, str], me: str | None) -> Filter:
    """The filter `params` ask for, checked against this plan's channels, people and topics."""
    return read_filter(params, channels=[c.id for c in plan.channels], people=[p.id for p in plan.people], me=me, topics=topics_of(plan))
