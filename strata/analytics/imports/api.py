"""What Strata cannot see for itself, imported over the API: a web-analytics export or a
support CSV as a file, support inquiry counts as JSON, and the list of past imports.

A file that cannot be read at all, or of which not one line can be imported, is a 422 whose
`errors` name each problem with its file, line and field; otherwise the answer lists the lines
that were skipped, and nothing of them was written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from strata.accounts.scoping import Access, workspace_access
from strata.analytics.imports import actions
from strata.analytics.imports.actions import ImportResult
from strata.analytics.imports.limits import MAX_BYTES, megabytes
from strata.analytics.imports.models import AnalyticsImport
from strata.analytics.imports.problems import refuse
from strata.analytics.imports.support import SupportInput

router = Router(tags=["imports"])
LISTED = 200


class ImportOut(Schema):
    id: int
    kind: str = Field(description="plausible, ga4 or support")
    filename: str = Field(description="empty when the counts were sent through the API")
    rows: int
    skipped: int
    by: str | None
    created_at: dt.datetime


class ProblemOut(Schema):
    file: str
    line: int = Field(description="the line in the file (for JSON counts, the item), counting from 1; 0 for the file as a whole")
    field: str = Field(description="the column at fault, as the file names it; empty for the whole line")
    message: str


class ReplacementOut(Schema):
    day: dt.date
    what: str
    before: str
    after: str


class ResultOut(Schema):
    kind: str
    filename: str
    dry_run: bool = Field(description="true: nothing was written; the numbers say what importing would do")
    rows: int = Field(description="rows written, or that would be")
    new: int
    replaced: int = Field(description="rows replacing earlier numbers for the same day, source and campaign (support: day and channel)")
    new_days: list[dt.date]
    replaced_days: list[dt.date]
    skipped: list[ProblemOut] = Field(description="each line that was skipped, and why")
    left_out: int = Field(description="lines neither from social media nor naming a campaign")
    notes: list[str]
    campaigns: list[str] = Field(description="campaigns that name an objective or pillar of the plan")
    other_campaigns: list[str]
    changes: list[ReplacementOut] = Field(description="the first replacements, with the numbers before and after")
    import_id: int | None = Field(description="the import's id; null in a dry run or when nothing was written")


class SupportCountIn(Schema):
    date: str = Field(max_length=40, description="the day, as 2025-03-01")
    inquiries: int = Field(description="inquiries that reached support that day (on that channel)")
    channel: str = Field(default="", max_length=200, description="phone, e-mail, chat…; empty or all: every channel")


def _access(request: HttpRequest, slug: str, permission: str) -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _out(result: ImportResult) -> dict[str, Any]:
    return {
        "kind": result.kind,
        "filename": result.filename,
        "dry_run": result.dry_run,
        "rows": result.rows,
        "new": result.new,
        "replaced": result.replaced,
        "new_days": result.new_days,
        "replaced_days": result.replaced_days,
        "skipped": [p.as_dict() for p in result.skipped],
        "left_out": result.left_out,
        "notes": result.notes,
        "campaigns": result.campaigns,
        "other_campaigns": result.other_campaigns,
        "changes": [{"day": c.day, "what": c.what, "before": c.before, "after": c.after} for c in result.changes],
        "import_id": result.imported.pk if result.imported else None,
    }


@router.get("/workspaces/{slug}/imports", response=list[ImportOut])
def list_imports(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The workspace's imports, newest first (the last 200)."""
    access = _access(request, slug, "report.view")
    found = AnalyticsImport.objects.filter(workspace=access.workspace).select_related("by")[:LISTED]
    return [
        {
            "id": i.pk,
            "kind": i.kind,
            "filename": i.filename,
            "rows": i.rows,
            "skipped": i.skipped,
            "by": str(i.by) if i.by else None,
            "created_at": i.created_at,
        }
        for i in found
    ]


@router.post("/workspaces/{slug}/imports", response=ResultOut)
def import_file(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    kind: Form[str],
    dry_run: Form[bool] = False,
) -> dict[str, Any]:
    """Import a file (multipart): `kind` plausible (the export's zip, or its imported_sources
    CSV), ga4 (a report's CSV download) or support (date,inquiries[,channel]); `dry_run` true to
    see what would change without writing. Bad lines are skipped and listed."""
    access = _access(request, slug, "analytics.import")
    name = actions.clean_filename(file.name or "upload")
    if file.size is not None and file.size > MAX_BYTES:
        raise refuse(name, f"the file is over {megabytes(MAX_BYTES)}; export fewer days at a time")
    result = actions.import_file(
        workspace=access.workspace, kind=kind, data=file.read(MAX_BYTES + 1), filename=name, by=access.user, dry_run=dry_run
    )
    return _out(result)


@router.post("/workspaces/{slug}/support-counts", response=ResultOut)
def support_counts(request: HttpRequest, slug: str, counts: list[SupportCountIn], dry_run: bool = False) -> dict[str, Any]:
    """Support inquiries per day (and channel), as a JSON list of {date, inquiries, channel?}.
    A day and channel sent before is replaced. Bad items are skipped and listed by position."""
    access = _access(request, slug, "analytics.import")
    items = [SupportInput(c.date, str(c.inquiries), c.channel) for c in counts]
    return _out(actions.record_support_counts(workspace=access.workspace, counts=items, by=access.user, dry_run=dry_run))
