"""Scheduled reports, sent to a real SMTP server (aiosmtpd) on 127.0.0.1: on the first of the
month to the people the plan names, once however often the schedule runs, with the PDF
attached; someone without an e-mail address is named on the delivery, not silently dropped."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.management import call_command

from strata.accounts.models import Workspace
from strata.analytics.reports import schedule
from strata.analytics.reports.models import ReportDelivery
from strata.strategy.models import PlanRevision
from tests.test_accounts import Inbox, smtp  # noqa: F401 - the real SMTP server
from tests.test_reports import BERLIN, frozen, october  # noqa: F401 - the fixed data set

FIRST_OF_NOVEMBER = dt.datetime(2026, 11, 1, 7, 0, tzinfo=BERLIN)


def revise(workspace: Workspace, document: dict[str, object], minute: int) -> None:
    """A new revision (revisions are never edited: the parsed plan is kept per revision and
    creation time, so each test's revision gets a time of its own)."""
    PlanRevision.objects.create(
        workspace=workspace, number=3, document=document, source=PlanRevision.Source.WEB, summary="readers",
        created_at=dt.datetime(2026, 10, 16, 9, minute, tzinfo=BERLIN),
    )  # fmt: skip


def test_the_monthly_report_goes_out_once_with_its_pdf(october: Workspace, smtp: Inbox) -> None:  # noqa: F811
    with time_machine.travel(FIRST_OF_NOVEMBER, tick=False):
        assert schedule.send_due() == 1
        assert schedule.send_due() == 0  # a second run, or a second worker: claimed already
        out = io.StringIO()
        call_command("report", "send-due", "--once", stdout=out)
        assert out.getvalue().strip() == "sent 0 report(s)"
    [message] = smtp.messages
    assert sorted(a.strip() for a in message["To"].split(",")) == ["jonas@acme.example", "maria@acme.example"]
    assert message["Subject"] == "Acme Bikes: monthly report, October 2026"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Objectives on track" in parts["text/plain"].get_payload(decode=True).decode()
    assert "32 on 3 posts" in parts["text/html"].get_payload(decode=True).decode()
    attached = parts["application/pdf"]
    assert attached.get_filename() == "acme-monthly-report-2026-10.pdf"
    assert attached.get_payload(decode=True).startswith(b"%PDF-")
    delivery = ReportDelivery.objects.get(workspace=october)
    assert (delivery.kind, delivery.period_end, delivery.error) == ("monthly", dt.date(2026, 10, 1), "")
    assert delivery.sent_at is not None
    assert sorted(delivery.recipients) == ["jonas@acme.example", "maria@acme.example"]


def test_nothing_is_due_mid_month_and_no_six_month_report_after_october(october: Workspace, smtp: Inbox) -> None:  # noqa: F811
    document = PlanRevision.objects.get(workspace=october, number=2).document
    document["measurement"]["reports"].append({"kind": "six_month", "to": ["maria"]})
    revise(october, document, 1)
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=BERLIN), tick=False):
        assert schedule.send_due() == 1  # September's monthly report, not sent before
    with time_machine.travel(FIRST_OF_NOVEMBER, tick=False):
        assert schedule.send_due() == 1  # October's monthly only: the half-year ends with December
    assert sorted(ReportDelivery.objects.values_list("kind", "period_end")) == [
        ("monthly", dt.date(2026, 9, 1)),
        ("monthly", dt.date(2026, 10, 1)),
    ]


def test_someone_without_an_email_is_named_on_the_delivery(october: Workspace, smtp: Inbox) -> None:  # noqa: F811
    document = PlanRevision.objects.get(workspace=october, number=2).document
    document["people"][1].pop("email")  # jonas
    document["measurement"]["reports"] = [{"kind": "monthly", "to": ["maria", "jonas", "ghost"]}]
    revise(october, document, 2)
    with time_machine.travel(FIRST_OF_NOVEMBER, tick=False):
        assert schedule.send_due() == 1
    assert [m["To"] for m in smtp.messages] == ["maria@acme.example"]
    delivery = ReportDelivery.objects.get(workspace=october)
    assert delivery.error == "no e-mail address for Jonas Weber, ghost (not among the plan's people)"
    assert delivery.sent_at is not None


def test_a_mail_server_that_is_down_is_written_on_the_delivery(october: Workspace, settings: object) -> None:  # noqa: F811
    from tests.test_metrics_gaps import closed_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()  # type: ignore[attr-defined]
    with time_machine.travel(FIRST_OF_NOVEMBER, tick=False):
        assert schedule.send_due() == 0
        assert schedule.send_due() == 0  # not tried again behind anyone's back
    delivery = ReportDelivery.objects.get(workspace=october)
    assert delivery.sent_at is None
    assert delivery.error.startswith("not sent:")
