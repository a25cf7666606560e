"""Scheduled reports: each entry of the plan's `measurement.reports` sends its report for the last
finished month to the people it names, as an e-mail with a short summary and the PDF attached.

- monthly: from the first of the next month (in the workspace's zone);
- six_month: for the half-years ending with June and December, from 1 January and 1 July.

`send_due()` (run by `strata report send-due`, once or in a loop) does, per workspace and kind:
1. find the period due today; skip it when the workspace had no plan before the period ended;
2. claim it: insert the ReportDelivery row, which a unique constraint allows once per
   workspace, kind and period, so that any number of loops send each report once;
3. build the report and its PDF, send, and write on the row when and to whom, or why not.
A report whose sending failed is not tried again by the schedule (it may have gone out before
the failure): the reports page shows the row's error, and the report can be sent by hand."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.analytics.metrics.queries import zone_of
from strata.analytics.reports import months
from strata.analytics.reports.build import build_report
from strata.analytics.reports.models import ReportDelivery
from strata.analytics.reports.period import Kind, Period
from strata.strategy.models import PlanRevision
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.store import current_plan

log = logging.getLogger(__name__)

INTERVAL = 300.0  # seconds between looks: a report is due for a whole month


@dataclass
class Readers:
    """Who receives one kind of report, from the plan: addresses, and the people without one."""

    kind: Kind
    ids: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # named, but without an e-mail (or not in the plan)

    @property
    def kind_words(self) -> str:
        return "monthly report" if self.kind == "monthly" else "six-month report"


def readers(plan: PlanDocument) -> list[Readers]:
    """One entry per kind the plan sends, its people merged (a plan may list a kind twice)."""
    people = {p.id: p for p in plan.people}
    found: dict[str, Readers] = {}
    for entry in plan.measurement.reports:
        group = found.setdefault(entry.kind, Readers(entry.kind))
        for person_id in entry.to:
            if person_id in group.ids:
                continue
            group.ids.append(person_id)
            person = people.get(person_id)
            if person is None:
                group.missing.append(f"{person_id} (not among the plan's people)")
            elif not person.email:
                group.missing.append(person.name)
            else:
                group.names.append(person.name)
                if person.email not in group.emails:
                    group.emails.append(person.email)
    return list(found.values())


@dataclass(frozen=True)
class Upcoming:
    kind_words: str
    names: list[str]
    missing: list[str]
    next: dt.date
    period: Period


def upcoming(plan: PlanDocument, today: dt.date) -> list[Upcoming]:
    """The next sending of each kind the plan sends: the reports page shows it."""
    found = []
    for group in readers(plan):
        day = months.next_sending(group.kind, today)
        found.append(
            Upcoming(group.kind_words, group.names, group.missing, day, Period.ending(group.kind, months.last_finished_month(day)))
        )
    return found


def send_due(at: dt.datetime | None = None) -> int:
    """Send every report due at `at`; the number sent."""
    at = at or now()
    sent = 0
    for workspace in Workspace.objects.filter(plan_revisions__isnull=False).distinct().order_by("pk"):
        plan = current_plan(workspace).plan
        today = at.astimezone(zone_of(workspace)).date()
        for group in readers(plan):
            period = months.due_period(group.kind, today)
            if period is None or not _had_plan(workspace, period):
                continue
            sent += send(workspace, period, group)
    return sent


def _had_plan(workspace: Workspace, period: Period) -> bool:
    finish = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), zone_of(workspace))
    return PlanRevision.objects.filter(workspace=workspace, created_at__lt=finish).exists()


def claim(workspace: Workspace, period: Period) -> ReportDelivery | None:
    """The delivery row, made now; None when another run made it first."""
    try:
        with transaction.atomic():
            return ReportDelivery.objects.create(workspace=workspace, kind=period.kind, period_end=period.months[-1])
    except IntegrityError:
        return None


def send(workspace: Workspace, period: Period, group: Readers) -> int:
    """Claim, build and send one report; 1 when it went out."""
    delivery = claim(workspace, period)
    if delivery is None:
        return 0
    problems = [f"no e-mail address for {', '.join(group.missing)}"] if group.missing else []
    if not group.emails:
        delivery.error = "; ".join([*problems, "nobody to send it to"])
        delivery.save(update_fields=["error"])
        return 0
    try:
        message = email(workspace, period, group.emails)
        message.send()
    except Exception as exc:  # a mail server down or a report that cannot be drawn: said on the row, not lost in a log
        log.exception("the %s of %s for %s was not sent", group.kind_words, workspace.slug, period.label)
        delivery.error = "; ".join([*problems, f"not sent: {exc}"[:500]])
        delivery.save(update_fields=["error"])
        return 0
    delivery.recipients, delivery.sent_at, delivery.error = group.emails, now(), "; ".join(problems)
    delivery.save(update_fields=["recipients", "sent_at", "error"])
    return 1


def email(workspace: Workspace, period: Period, to: list[str]) -> EmailMultiAlternatives:
    """The e-mail of one report: its headline numbers in words and HTML, the PDF attached."""
    # Charts and PDF only where a report is drawn: their libraries take a second to import.
    from strata.analytics.reports import pdf, render

    report = build_report(workspace, period, today=period.end + dt.timedelta(days=1))
    kind = "six-month" if period.kind == "six_month" else "monthly"
    month = months.month_text(period.months[-1])
    link = settings.SITE_URL.rstrip("/") + reverse(f"report-{kind}", args=[workspace.slug, month])
    subject = f"{workspace.name}: {kind} report, {period.label}"
    lines = [subject, ""] + [f"- {h.label}: {h.words}" for h in report.headlines]
    lines += ["", "Objectives:"] + [f"- {row.id}: {row.kpi.status_words}" for row in report.objectives]
    lines += ["", f"The whole report is attached as a PDF, and in Strata: {link}"]
    message = EmailMultiAlternatives(subject=subject, body="\n".join(lines) + "\n", to=to)
    message.attach_alternative(render.email_html(report, link), "text/html")
    message.attach(f"{workspace.slug}-{kind}-report-{month}.pdf", pdf.pdf_bytes(report), "application/pdf")
    return message
