"""strata plan check FILE | import FILE --workspace SLUG | export --workspace SLUG"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.utils import OperationalError, ProgrammingError

from strata.strategy.plan.errors import PlanError, PlanInvalid
from strata.strategy.plan.loader import MAX_BYTES, load_plan, too_large
from strata.strategy.review.registry import run_review

EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = "Check, import and export a plan file (docs/plan-format.md)."
    requires_system_checks: list[str] = []  # `plan check` must work without a database

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{check,import,export}")
        check = sub.add_parser("check", help="review a plan file; exit 0 without errors, 1 with errors, 2 if unreadable")
        check.add_argument("file", help="the plan file, or - for standard input")
        check.add_argument("--format", choices=["text", "json"], default="text")
        imp = sub.add_parser("import", help="replace a workspace's plan with a plan file, all or nothing")
        imp.add_argument("file")
        imp.add_argument("--workspace", required=True, help="the workspace's slug; made if it does not exist")
        imp.add_argument("--format", choices=["text", "json"], default="text")
        exp = sub.add_parser("export", help="print a workspace's plan as YAML")
        exp.add_argument("--workspace", required=True)
        exp.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self.check_file(options["file"], options["format"])
            return
        try:
            if action == "import":
                self.import_(options["file"], options["workspace"], options["format"])
            else:
                self.export(options["workspace"], options.get("output"))
        except (OperationalError, ProgrammingError) as exc:
            # Only a missing table means "not migrated"; anything else (a lost connection, a
            # refused write) is said as it is, with nothing changed.
            if "no such table" in str(exc) or "does not exist" in str(exc):
                raise CommandError(f"the database is not ready ({exc}); run `strata migrate` first", returncode=1) from None
            raise CommandError(f"the database refused the change ({exc}); nothing was changed", returncode=1) from None

    def read(self, file: str) -> tuple[bytes, str]:
        """The file's bytes, at most one past the limit: a larger file is refused unread."""
        if file == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                self.fail(too_large(None, "<stdin>").errors, "text")
            return data, "<stdin>"
        path = Path(file)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
                if len(data) > MAX_BYTES:
                    self.fail(too_large(path.stat().st_size, file).errors, "text")
                return data, file
        except OSError as exc:
            self.fail([PlanError(file, 0, 0, "", f"cannot read the file: {exc.strerror or exc}")], "text")
            raise AssertionError from exc  # fail() exits

    def fail(self, errors: list[PlanError], fmt: str) -> None:
        if fmt == "json":
            self.stdout.write(json.dumps({"errors": [e.as_dict() for e in errors]}, indent=2))
        else:
            for error in errors:
                self.stderr.write(str(error))
            self.stderr.write(
                f"{len(errors)} error{'s' if len(errors) != 1 else ''}: the file cannot be read as a plan; nothing was changed"
            )
        sys.exit(EXIT_UNREADABLE)

    def check_file(self, file: str, fmt: str) -> None:
        data, name = self.read(file)
        try:
            plan = load_plan(data, name)
        except PlanInvalid as exc:
            self.fail(exc.errors, fmt)
            return
        review = run_review(plan)
        if fmt == "json":
            self.stdout.write(json.dumps(review.as_dict(), indent=2))
        else:
            for f in review.findings:
                self.stdout.write(f"{f.severity:7} {f.code:36} {f.ref}\n        {f.message}\n        fix: {f.fix}")
            self.stdout.write(f"\n{review.errors} errors, {review.warnings} warnings; health score {review.score}/100")
        sys.exit(1 if review.errors else 0)

    def import_(self, file: str, slug: str, fmt: str) -> None:
        from strata.accounts.actions import SLUG_RE
        from strata.accounts.models import Workspace
        from strata.strategy.actions import import_plan
        from strata.strategy.models import PlanRevision

        if not SLUG_RE.match(slug):
            raise CommandError(f"'{slug}' is not a workspace slug: use 2–63 lower-case letters, digits and '-'", returncode=EXIT_UNREADABLE)
        data, name = self.read(file)
        workspace = Workspace.objects.filter(slug=slug).first()
        try:
            workspace, revision = import_plan(
                data=data, filename=name, workspace=workspace, slug=slug, author=None, source=PlanRevision.Source.IMPORT
            )
        except PlanInvalid as exc:
            self.fail(exc.errors, fmt)
            return
        review = run_review(load_plan(data, name), workspace_id=workspace.pk)
        if fmt == "json":
            self.stdout.write(json.dumps({"workspace": workspace.slug, "revision": revision.number, **review.as_dict()}, indent=2))
        else:
            self.stdout.write(
                f"imported {name} into workspace '{workspace.slug}' as plan revision {revision.number}; "
                f"health score {review.score}/100 ({review.errors} errors, {review.warnings} warnings)"
            )

    def export(self, slug: str, output: str | None) -> None:
        from strata.accounts.models import Workspace
        from strata.strategy.plan.dump import dump_plan
        from strata.strategy.store import current_plan

        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"no workspace '{slug}'", returncode=1)
        text = dump_plan(current_plan(workspace).plan)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
