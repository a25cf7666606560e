"""strata report monthly --workspace SLUG --month 2026-10 [--format html|pdf|json] [--output FILE]
strata report six-month --workspace SLUG --ending 2026-10 [--format …] [--output FILE]
strata report send-due [--once] [--interval SECONDS]

A report goes to standard output unless --output names a file (a PDF as bytes). A bad slug,
month or format is one line on standard error and exit status 2."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strata.accounts.models import Workspace
from strata.analytics.reports import months, pdf, schedule
from strata.analytics.reports.build import NotYet, build_report
from strata.analytics.reports.period import Period
from strata.analytics.reports.render import print_html

EXIT_USAGE = 2
FORMATS = ("html", "pdf", "json")


def refuse(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_USAGE)


class Command(BaseCommand):
    help = "Make the monthly or six-month report of a workspace (HTML, PDF or JSON), or send the reports that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{monthly,six-month,send-due}")
        for name, month, words in (("monthly", "--month", "the month"), ("six-month", "--ending", "the last of the six months")):
            making = sub.add_parser(name, help=f"the {name} report ending with {words}")
            making.add_argument("--workspace", required=True, help="the workspace's slug")
            making.add_argument(month, required=True, dest="month", help=f"{words}, as YYYY-MM")
            making.add_argument("--format", default="html", help="html (default), pdf or json")
            making.add_argument("--output", help="write to this file rather than to standard output")
        due = sub.add_parser("send-due", help="e-mail the scheduled reports that are due (each once, however many run)")
        due.add_argument("--once", action="store_true", help="one look, then exit")
        due.add_argument("--interval", type=float, default=schedule.INTERVAL, help="seconds between looks")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send-due":
            self.send_due(options)
            return
        kind = months.KINDS[options["action"]]
        fmt = options["format"].lower()
        if fmt not in FORMATS:
            raise refuse(f"--format is html, pdf or json, not '{options['format'][:20]}'")
        try:
            period = Period.ending(kind, months.parse_month(options["month"]))
        except months.BadMonth as exc:
            raise refuse(str(exc)) from None
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise refuse(f"no workspace '{options['workspace'][:70]}'")
        try:
            report = build_report(workspace, period)
        except NotYet as exc:
            raise refuse(str(exc)) from None
        if fmt == "pdf":
            data = pdf.pdf_bytes(report)
        elif fmt == "json":
            data = (json.dumps(report.as_json(), ensure_ascii=False, indent=1) + "\n").encode()
        else:
            data = print_html(report).encode()
        self.write(data, options["output"])

    def write(self, data: bytes, output: str | None) -> None:
        if output:
            try:
                Path(output).write_bytes(data)
            except OSError as exc:
                raise refuse(f"cannot write {output}: {exc.strerror or exc}") from None
            self.stderr.write(f"wrote {output} ({len(data):,} bytes)")
            return
        self.stdout.flush()
        out = getattr(self.stdout, "_out", sys.stdout)
        if hasattr(out, "buffer"):
            out.buffer.write(data)
            out.flush()
        else:  # a text stream (call_command in tests): PDFs are bytes, written as latin-1 to keep them whole
            out.write(data.decode("utf-8") if not data.startswith(b"%PDF") else data.decode("latin-1"))

    def send_due(self, options: dict[str, Any]) -> None:
        if options["once"]:
            self.stdout.write(f"sent {schedule.send_due()} report(s)")
            return
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        self.stdout.write("sending reports as they fall due; Ctrl-C stops it")
        while not stopping.is_set():
            try:
                schedule.send_due()
            except Exception:  # the database went away: try again on the next look
                schedule.log.exception("sending reports stopped short; trying again in %s s", options["interval"])
            stopping.wait(max(options["interval"], 1.0))
