"""strata import_analytics --workspace SLUG --kind plausible|ga4|support FILE [--dry-run]

Each skipped line is said on standard error as "file:line: field: message"; the exit status is
1 when nothing was imported (a refused file, or no line to import), 0 otherwise."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.utils import OperationalError, ProgrammingError

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.analytics.imports import actions
from strata.analytics.imports.limits import MAX_BYTES, megabytes
from strata.analytics.imports.problems import FileRefused


class Command(BaseCommand):
    help = "Import a Plausible or GA4 export, or support inquiry counts, into a workspace (docs/imports.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the export: Plausible's zip or imported_sources CSV, GA4's CSV, or a support CSV")
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--kind", required=True, choices=list(actions.PARSERS), help="what the file is")
        parser.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace '{options['workspace']}'", returncode=1)
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file: {exc.strerror or exc}", returncode=1) from None
        if len(data) > MAX_BYTES:
            raise CommandError(f"{path}: the file is over {megabytes(MAX_BYTES)}; export fewer days at a time", returncode=1)
        try:
            result = actions.import_file(
                workspace=workspace, kind=options["kind"], data=data, filename=str(path), by=None, dry_run=options["dry_run"]
            )
        except FileRefused as exc:
            for problem in exc.errors:
                self.stderr.write(str(problem))
            self.stderr.write(f"{path}: nothing was imported")
            sys.exit(1)
        except ActionError as exc:
            raise CommandError(f"{path}: {exc.message}; nothing was imported", returncode=1) from None
        except (OperationalError, ProgrammingError) as exc:
            raise CommandError(f"the database refused the import ({exc}); nothing was imported", returncode=1) from None
        for problem in result.skipped:
            self.stderr.write(str(problem))
        for note in result.notes:
            self.stdout.write(f"note: {note}")
        verb = "would import" if result.dry_run else "imported"
        self.stdout.write(
            f"{path}: {verb} {result.rows} row(s): {result.new} new, {result.replaced} replacing earlier numbers; "
            f"{len(result.skipped)} line(s) skipped, {result.left_out} left out (neither social nor a campaign)"
        )
        if not result.rows:
            sys.exit(1)
