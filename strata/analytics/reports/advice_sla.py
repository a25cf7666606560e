"""Advice: staff the inbox where its targets break.

The conversations whose target fell in the period (as alignment counts them) are grouped by
channel and by the weekday they started on, in the workspace's zone. A day on which a channel
often misses its targets is a staffing question when the plan leaves that day thin: nobody
responsible for the channel that day (add the day to the responsible person's days), or
support hours that leave the day out or shorter than the longest day (open it as long). When
the plan already staffs the day fully, the advice stands without a plan change."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from strata.accounts.models import Workspace
from strata.analytics.metrics.queries import zone_of
from strata.analytics.reports.advice_base import Recommendation, bounds, percent, revised
from strata.analytics.reports.period import Period
from strata.engagement.inbox import duty, figures
from strata.engagement.inbox.models import Conversation
from strata.strategy.plan.schema import WEEKDAYS, Channel, PlanDocument, Responsibility
from strata.web.templatetags.words import label

# Four in five answered in time is what a response plan can promise; below it people notice.
WITHIN_SLA = 0.8
# Fewer conversations on one weekday are anecdotes: two late of three is not a pattern.
MIN_CONVERSATIONS = 5


def sla(workspace: Workspace, plan: PlanDocument, period: Period) -> list[Recommendation]:
    begin, finish = bounds(workspace, period)
    at = min(finish, dt.datetime.now(dt.UTC))
    zone = zone_of(workspace)
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (channel, day) → [decided, late]
    found = Conversation.objects.filter(workspace=workspace, due_at__gte=begin, due_at__lt=finish).exclude(state=Conversation.State.IGNORED)
    for c in found:
        if c.due_at is not None and figures.owed(c) and c.due_at > at and not c.breached:
            continue  # still open and not yet due: not decided
        day = WEEKDAYS[c.started_at.astimezone(zone).weekday()]
        counts = tally[c.channel_id, day]
        counts[0] += 1
        counts[1] += figures.late(c, at)
    channels = {c.id: c for c in plan.channels}
    advice = []
    for (channel_id, day), (decided, late) in sorted(tally.items(), key=lambda item: (item[0][0], WEEKDAYS.index(item[0][1]))):
        within = (decided - late) / decided
        if decided < MIN_CONVERSATIONS or within >= WITHIN_SLA or channel_id not in channels:
            continue
        advice.append(_advise(plan, channels[channel_id], day, decided, late))
    return advice


def _advise(plan: PlanDocument, channel: Channel, day: str, decided: int, late: int) -> Recommendation:
    within = (decided - late) / decided
    weekday = label(day)
    evidence = (
        f"On {weekday}s {decided - late} of {decided} conversations on {channel.id} were answered within their target "
        f"({percent(within)}, below {percent(WITHIN_SLA)}); {late} were late."
    )
    covered = any(day in r.days for r in channel.responsible)
    person = _responsible(plan, channel)
    hours: dict[str, str] | None = None if plan.support.hours is None else {str(d): h for d, h in plan.support.hours.items()}
    longest = _longest_hours(hours)
    short = hours is not None and longest is not None and _minutes(hours.get(day)) < _minutes(longest)
    changes: list[Callable[[PlanDocument], None]] = []
    words: list[str] = []
    if not covered and person is not None:
        changes.append(lambda copy: _add_day(copy, channel.id, person, day))
        words.append(f"add {weekday} to {person}'s days on {channel.id}")
        evidence += f" Nobody is responsible for {channel.id} on {weekday}s."
    elif not covered:
        evidence += f" Nobody is responsible for {channel.id} on {weekday}s, and the plan names nobody to ask."
    if short and longest is not None and hours is not None:
        changes.append(lambda copy: _open(copy, day, longest))
        now_open = f"open {hours[day]}" if day in hours else "closed"
        words.append(f"open the inbox {longest} on {weekday}s, as on its longest day")
        evidence += f" The support hours have the inbox {now_open} on {weekday}s."
    numbers = {"channel": channel.id, "weekday": day, "conversations": decided, "late": late, "within_sla": round(within, 3)}
    key = f"sla:{channel.id}:{day}"
    title = f"{channel.id} misses its answer targets on {weekday}s"
    if not changes:
        return Recommendation(
            key=key,
            kind="sla",
            title=title,
            evidence=evidence + (f" The plan already staffs {weekday}s." if covered and not short else ""),
            numbers=numbers,
            change=f"No plan change: more hands on {channel.id} on {weekday}s, or a longer target in the response plan.",
        )

    def edit(copy: PlanDocument) -> None:
        for change in changes:
            change(copy)

    text = "; ".join(words)
    return Recommendation(
        key=key,
        kind="sla",
        title=title,
        evidence=evidence,
        numbers=numbers,
        change=text[0].upper() + text[1:] + ".",
        plan=revised(plan, edit),
    )


def _responsible(plan: PlanDocument, channel: Channel) -> str | None:
    """Who should take the day: the channel's first responsible person, else whom the response
    plan assigns to, else whom it escalates to, else the ringleader."""
    if channel.responsible:
        return channel.responsible[0].person
    assigned = [r.assign_to for r in plan.response_plan if r.assign_to]
    return (assigned[0] if assigned else None) or plan.support.escalate_to or plan.governance.ringleader


def _add_day(copy: PlanDocument, channel_id: str, person: str, day: str) -> None:
    channel = next(c for c in copy.channels if c.id == channel_id)
    duty_of = next((r for r in channel.responsible if r.person == person), None)
    if duty_of is None:
        channel.responsible.append(Responsibility(person=person, days=[day]))
    else:
        duty_of.days = sorted({*duty_of.days, day}, key=WEEKDAYS.index)  # type: ignore[arg-type]


def _open(copy: PlanDocument, day: str, opening: str) -> None:
    current: dict[str, str] = {str(d): h for d, h in (copy.support.hours or {}).items()}
    current[day] = opening
    copy.support.hours = {d: current[d] for d in WEEKDAYS if d in current}  # type: ignore[misc]


def _minutes(hours: str | None) -> int:
    """Minutes open in a day's hours; 0 for a day not named."""
    return 0 if hours is None else sum(end - start for start, end in duty.ranges(hours))


def _longest_hours(hours: dict[str, str] | None) -> str | None:
    if not hours:
        return None
    return max(hours.values(), key=_minutes)
