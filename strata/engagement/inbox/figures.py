"""How well the inbox keeps the response plan: per channel, responder and rule, the response
rate, the median and 90th-percentile first answer, the share answered within SLA and the
negatives still unanswered. The API, the review and the reports read the same figures."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement.inbox.models import Conversation


@dataclass(frozen=True)
class Figures:
    by: str  # channel, responder or rule
    key: str
    conversations: int
    answered: int
    response_rate: float  # answered / conversations
    median_first_minutes: float | None
    p90_first_minutes: float | None
    within_sla: float | None  # of those whose target has been decided (answered, or past due)
    unanswered_negative: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def owed(c: Conversation) -> bool:
    return c.answered_at is None or c.answered_at < c.last_inbound_at


def late(c: Conversation, at: dt.datetime) -> bool:
    """Missed a target: answered after it, or still owed past it."""
    return c.breached or (owed(c) and c.due_at is not None and c.due_at <= at)


def recent(workspace: Workspace | int, days: int) -> list[Conversation]:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    since = now() - dt.timedelta(days=days)
    found = Conversation.objects.filter(workspace_id=workspace_id, started_at__gte=since)
    return list(found.exclude(state=Conversation.State.IGNORED))


def summarise(by: str, key: str, group: Iterable[Conversation], at: dt.datetime) -> Figures:
    group = list(group)
    waits = sorted((c.first_answered_at - c.started_at).total_seconds() / 60 for c in group if c.first_answered_at)
    timed = [c for c in group if c.due_at is not None and (not owed(c) or c.due_at <= at or c.breached)]
    return Figures(
        by=by,
        key=key,
        conversations=len(group),
        answered=len(waits),
        response_rate=round(len(waits) / len(group), 3) if group else 0.0,
        median_first_minutes=round(statistics.median(waits), 1) if waits else None,
        p90_first_minutes=round(_percentile(waits, 0.9), 1) if waits else None,
        within_sla=round(sum(not late(c, at) for c in timed) / len(timed), 3) if timed else None,
        unanswered_negative=sum(1 for c in group if c.sentiment == "negative" and owed(c) and c.state != Conversation.State.OFFLINE),
    )


def _key(by: str, c: Conversation) -> str:
    if by == "channel":
        return c.channel_id
    if by == "responder":
        return c.assignee or "(nobody)"
    return c.rule_id or "(default)"


def _percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile: a value that occurred, as a person would quote it."""
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def sla_figures(workspace: Workspace | int, *, days: int = 30) -> list[Figures]:
    at = now()
    conversations = recent(workspace, days)
    found = []
    for by in ("channel", "responder", "rule"):
        groups: dict[str, list[Conversation]] = {}
        for c in conversations:
            groups.setdefault(_key(by, c), []).append(c)
        found += [summarise(by, key, group, at) for key, group in sorted(groups.items())]
    return found
