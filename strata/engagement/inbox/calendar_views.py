"""The conversation calendar's page: the plan's channels × the days of the week, who answers for
each (the plan's `channels[].responsible`), where nobody does, and a form per channel to change
that. Every member reads it (inbox.view); a change is a change of the plan (plan.edit), stored as
a revision in the plan's History like any other."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from strata.accounts.actions import ActionError
from strata.accounts.models import User, Workspace
from strata.accounts.scoping import Access, workspace_access
from strata.engagement.inbox import duty, filing
from strata.engagement.inbox.clock import BusinessHours
from strata.strategy.actions import save_plan
from strata.strategy.models import PlanRevision
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import validate_plan
from strata.strategy.plan.schema import WEEKDAYS, Channel, PlanDocument
from strata.strategy.store import CurrentPlan, current_plan

TEMPLATE = "engagement/inbox/duty.html"
MAX_ROWS = 30  # rows one form may send: a calendar needs a handful, more is a hostile request
MAX_HOURS = 100  # characters of an hours field: several ranges fit; the loader would echo more back whole


@dataclass
class DutyRow:
    """One line of a channel's form: a duty as the plan has it, or as it was sent."""

    person: str = ""
    days: list[str] = field(default_factory=list)
    hours: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return not (self.person or self.days or self.hours)


class Refused(Exception):
    """A channel's form that was not saved: its rows with their errors, and errors of no row."""

    def __init__(self, rows: list[DutyRow], general: list[str], status: int = 422) -> None:
        super().__init__("; ".join(general) or "the duties were not saved")
        self.rows, self.general, self.status = rows, general, status


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "POST":
        return _change(request, slug)
    access = workspace_access(request.user, slug, "inbox.view")  # type: ignore[arg-type]
    return render(request, TEMPLATE, _context(access, current_plan(access.workspace)))


def _change(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request.user, slug, "plan.edit")  # type: ignore[arg-type]
    current = current_plan(access.workspace)
    channel_id = request.POST.get("channel", "")
    channel = next((c for c in current.plan.channels if c.id == channel_id), None)
    if channel is None:
        raise Http404("no such channel in the plan")
    try:
        rows = _posted_rows(request.POST)
        if request.POST.get("action") == "add":
            # Without JavaScript a new row is a round trip: the same rows back, one blank more, nothing saved.
            rows += [DutyRow()] if len(rows) < MAX_ROWS else []
            return render(request, TEMPLATE, _context(access, current, editing=channel.id, rows=rows))
        revision = save_duties(
            workspace=access.workspace,
            author=access.user,
            current=current,
            channel_id=channel.id,
            rows=rows,
            expected_revision=_revision(request.POST.get("revision"), current.revision),
        )
    except Refused as refused:
        context = _context(access, current, editing=channel.id, rows=refused.rows, general=refused.general)
        return render(request, TEMPLATE, context, status=refused.status)
    if revision is None:
        messages.info(request, f"Nothing changed on {channel.id}.")
    else:
        messages.success(request, f"Saved who answers {channel.id}: revision {revision.number} of the plan.")
    # To the top, where the message and the week with the change are.
    return redirect(reverse("inbox-calendar", args=[slug]))


def _revision(sent: str | None, read: int) -> int:
    """The revision the editor's form was made from; without one, the revision this request read,
    so that a change saved in between is refused rather than overwritten."""
    if sent and sent.isascii() and sent.isdigit() and len(sent) < 10:
        return int(sent)
    return read


def _posted_rows(post: QueryDict) -> list[DutyRow]:
    """The form's rows, without those marked to be removed. A form that does not say how many
    rows it has is refused: reading it as none would take everyone off the channel."""
    count = post.get("rows", "")
    if not (count.isascii() and count.isdigit() and int(count) <= MAX_ROWS):
        raise Refused([], [f"rows: expected the number of rows the form sent, at most {MAX_ROWS}; reload the page and try again"])
    rows = []
    for i in range(int(count)):
        if post.get(f"remove-{i}"):
            continue
        sent = list(dict.fromkeys(post.getlist(f"days-{i}")))[: len(WEEKDAYS) + 1]
        # Monday first, as the plan file lists them; anything else stays for the loader to name.
        days = [d for d in WEEKDAYS if d in sent] + [d for d in sent if d not in WEEKDAYS]
        rows.append(DutyRow(person=post.get(f"person-{i}", "").strip(), days=days, hours=post.get(f"hours-{i}", "").strip()))
    return rows


def save_duties(
    *, workspace: Workspace, author: User | None, current: CurrentPlan, channel_id: str, rows: list[DutyRow], expected_revision: int
) -> PlanRevision | None:
    """Replace `channel_id`'s duties with `rows` (blank rows dropped) in a new revision of the plan,
    "conversation calendar: <channel>", checked by the plan's loader as any plan change is; None
    when they are the duties the plan has already. Raises Refused with each error beside its row."""
    duties, owners = [], []
    for position, row in enumerate(rows):
        if row.blank:
            continue
        if not row.person:
            row.errors["person"] = ["choose who answers on these days, or remove the row"]
        if not row.days:
            row.errors["days"] = ["choose at least one day, or remove the row"]
        if len(row.hours) > MAX_HOURS:
            row.errors["hours"] = [f"at most {MAX_HOURS} characters: write ranges like 09:00-12:00,13:00-17:00"]
        duties.append({"person": row.person, "days": row.days, **({"hours": row.hours} if row.hours else {})})
        owners.append(position)
    if any(row.errors for row in rows):
        raise Refused(rows, [])
    data = current.plan.model_dump(mode="json")
    position = next(i for i, c in enumerate(data["channels"]) if c["id"] == channel_id)
    before = data["channels"][position]["responsible"]
    data["channels"][position]["responsible"] = duties
    try:
        plan = validate_plan(data, filename="channels")
    except PlanInvalid as exc:
        raise Refused(rows, _place(exc, rows, owners, channel_id, position)) from None
    if [d.model_dump(mode="json") for d in _channel(plan, channel_id).responsible] == before:
        return None
    try:
        return save_plan(
            workspace=workspace,
            plan=plan,
            author=author,
            source=PlanRevision.Source.WEB,
            summary=f"conversation calendar: {channel_id}",
            expected_revision=expected_revision,
        )
    except ActionError as exc:  # a Conflict: someone saved the plan since this form was made
        raise Refused(rows, [exc.message], exc.status) from None


def _place(exc: PlanInvalid, rows: list[DutyRow], owners: list[int], channel_id: str, position: int) -> list[str]:
    """Put each of the loader's errors beside the row and field it is about
    ("channels[acme-help].responsible[0].hours"); return the rest, with their place in the plan."""
    general = []
    heads = (f"channels[{channel_id}].responsible[", f"channels[{position}].responsible[")
    for error in exc.errors:
        head = next((h for h in heads if error.path.startswith(h)), None)
        index, _, rest = error.path[len(head) :].partition("].") if head else ("", "", "")
        name = rest.split(".")[0].split("[")[0]
        if index.isdigit() and int(index) < len(owners) and name in ("person", "days", "hours"):
            rows[owners[int(index)]].errors.setdefault(name, []).append(error.message)
        else:
            general.append(f"{error.path}: {error.message}" if error.path else error.message)
    return general


def _channel(plan: PlanDocument, channel_id: str) -> Channel:
    return next(c for c in plan.channels if c.id == channel_id)


def _rows_of(channel: Channel) -> list[DutyRow]:
    return [DutyRow(person=d.person, days=list(d.days), hours=d.hours or "") for d in channel.responsible]


def _context(
    access: Access, current: CurrentPlan, *, editing: str = "", rows: list[DutyRow] | None = None, general: list[str] | None = None
) -> dict[str, Any]:
    plan = current.plan
    names = {p.id: p.name for p in plan.people}
    zone = ZoneInfo(plan.workspace.timezone)
    local = dt.datetime.now(zone)
    may_edit = access.may("plan.edit")
    channels = []
    for row in duty.week(plan):
        channel = row.channel
        form_rows = rows if channel.id == editing and rows is not None else _rows_of(channel)
        if may_edit and not any(r.blank for r in form_rows):
            form_rows.append(DutyRow())  # room for one more without a round trip
        channels.append(
            {
                "channel": channel,
                "answering": row.answering,
                "cells": _cells(plan, channel, row, names),
                "gaps": duty.uncovered_days(plan, channel),
                "now": _now(channel, local, names),
                "rows": form_rows,
                "general": (general or []) if channel.id == editing else [],
            }
        )
    hours = filing.business_hours(plan)
    is_open = hours.is_open(local)
    return {
        "access": access,
        "slug": access.workspace.slug,
        "plan": plan,
        "revision": current.revision,
        "channels": channels,
        "days": [(day, day in duty.open_days(plan), _opening(plan).get(day)) for day in WEEKDAYS],
        "around_the_clock": plan.support.hours is None,
        "holidays": sorted(plan.support.holidays),
        "today": local.date(),
        "local": local,
        "is_open": is_open,
        "opens": None if is_open else _next_open(hours, local),
        "people": plan.people,
        "weekdays": WEEKDAYS,
        "may_edit": may_edit,
        "editing": editing,
        "problems": _problems(channels, editing),
    }


def _cells(plan: PlanDocument, channel: Channel, row: duty.Row, names: dict[str, str]) -> list[dict[str, Any]]:
    missing = duty.uncovered_days(plan, channel)
    opening = _opening(plan) if plan.support.hours is not None else None
    cells = []
    for day, cell in zip(WEEKDAYS, row.cells, strict=True):
        open_today = day in duty.open_days(plan)
        short = []
        if row.answering and open_today and cell.people:
            short = [f"{duty.clock(a)}–{duty.clock(b)}" for a, b in duty.uncovered_hours(channel, day, opening[day] if opening else None)]
        cells.append(
            {
                "day": day,
                "people": [(names.get(person, person), hours) for person, hours in cell.people],
                "gap": day in missing,
                "closed": not open_today,
                "short": short,
            }
        )
    return cells


def _opening(plan: PlanDocument) -> dict[str, str]:
    """The support hours by day ("mon": "08:00-18:00"); empty when the plan gives none."""
    return {str(day): hours for day, hours in (plan.support.hours or {}).items()}


def _now(channel: Channel, local: dt.datetime, names: dict[str, str]) -> dict[str, Any]:
    """Who answers `channel` at this moment, and whether they are within their hours (the inbox
    still gives what comes in to someone when nobody is: `duty.on_duty`'s next in line)."""
    person = duty.on_duty(channel, local)
    covering = any(duty.covers(d, local) for d in channel.responsible)
    return {"person": names.get(person, person) if person else "", "covering": covering}


def _next_open(hours: BusinessHours, local: dt.datetime) -> dt.datetime | None:
    try:
        return hours.next_open(local)
    except ValueError:  # holidays all year: there is no next opening to name
        return None


def _problems(channels: list[dict[str, Any]], editing: str) -> list[dict[str, str]]:
    """The error summary above the page: each error linking to its field."""
    problems = []
    for entry in channels:
        if entry["channel"].id != editing:
            continue
        problems += [{"text": message, "target": f"duty-{editing}"} for message in entry["general"]]
        for i, row in enumerate(entry["rows"]):
            for name, found in row.errors.items():
                problems += [
                    {"text": f"{editing}, row {i + 1}, {name}: {message}", "target": f"d-{editing}-{i}-{name}"} for message in found
                ]
    return problems
