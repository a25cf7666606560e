"""Every write of imported numbers: a file (Plausible, GA4, support counts) or support counts
from the API. Views, API and CLI call these.

A file is read whole first; its bad lines are skipped and reported, each with its line. What
remains is written in one transaction, all or nothing: a database that fails half-way leaves
no row of the file. A dry run reads and compares the same way and writes nothing.

A row replaces the earlier one for the same origin, day, source and campaign (support: day and
channel): exports overlap, and the newest export knows best. Earlier rows the file does not
mention stay."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from strata.accounts.actions import ActionError, Conflict
from strata.accounts.models import User, Workspace
from strata.analytics.imports import cells, ga4, plausible, support
from strata.analytics.imports.limits import MAX_API_ITEMS, MAX_BYTES, megabytes
from strata.analytics.imports.models import AnalyticsImport, SupportCount, WebTraffic
from strata.analytics.imports.problems import FileRefused, Problem, refuse
from strata.analytics.imports.rows import Parsed, SupportRow, WebRow
from strata.analytics.imports.support import SupportInput
from strata.strategy.store import current_plan

Kind = AnalyticsImport.Kind
PARSERS: dict[str, Callable[[bytes, str, dt.date], Parsed]] = {
    Kind.PLAUSIBLE: plausible.parse,
    Kind.GA4: ga4.parse,
    Kind.SUPPORT: support.parse,
}
MAX_FILENAME = 255
MAX_SHOWN_CHANGES = 200  # replaced rows listed one by one; the counts cover them all


@dataclass(frozen=True)
class Replacement:
    day: dt.date
    what: str  # "bluesky / eu-awareness", or a support channel
    before: str
    after: str


@dataclass
class ImportResult:
    kind: str
    filename: str
    dry_run: bool
    rows: int = 0  # rows written (or, in a dry run, that would be)
    new: int = 0  # of which for a day, source and campaign not imported before
    replaced: int = 0  # of which replacing earlier numbers
    new_days: list[dt.date] = field(default_factory=list)  # days with nothing imported before
    replaced_days: list[dt.date] = field(default_factory=list)  # days where some row is replaced
    skipped: list[Problem] = field(default_factory=list)  # each skipped line and why
    left_out: int = 0  # lines neither from social media nor naming a campaign
    notes: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)  # campaigns that name an objective or pillar of the plan
    other_campaigns: list[str] = field(default_factory=list)  # campaigns the plan does not know (imported all the same)
    changes: list[Replacement] = field(default_factory=list)  # the first MAX_SHOWN_CHANGES replacements
    imported: AnalyticsImport | None = None  # the import's record; None in a dry run or when nothing was written

    @property
    def written(self) -> bool:
        return self.imported is not None


def import_file(*, workspace: Workspace, kind: str, data: bytes, filename: str, by: User | None, dry_run: bool) -> ImportResult:
    """Read `data` as an export of `kind` and write its rows (unless `dry_run`). Raises
    FileRefused (an ActionError, 422) when the file cannot be read at all, or when not one of
    its lines can be imported; then nothing is written."""
    if kind not in PARSERS:
        raise ActionError(f"'{kind[:20]}' is not a kind of import; choose plausible, ga4 or support", field="kind")
    name = clean_filename(filename)
    if len(data) > MAX_BYTES:
        raise refuse(name, f"the file is over {megabytes(MAX_BYTES)}; export fewer days at a time")
    if not data.strip():
        raise refuse(name, "the file is empty")
    parsed = PARSERS[kind](data, name, cells.latest_day())
    return _apply(workspace=workspace, kind=kind, filename=name, parsed=parsed, by=by, dry_run=dry_run)


def record_support_counts(*, workspace: Workspace, counts: Iterable[SupportInput], by: User | None, dry_run: bool = False) -> ImportResult:
    """Support counts sent through the API, checked like the lines of a file (a problem names
    the item, counting from 1) and written the same way."""
    items = list(counts)
    if len(items) > MAX_API_ITEMS:
        raise ActionError(f"{len(items):,} counts in one request; send at most {MAX_API_ITEMS:,} at a time")
    parsed = Parsed()
    support.read_counts(enumerate(items, start=1), "", cells.latest_day(), parsed)
    return _apply(workspace=workspace, kind=Kind.SUPPORT, filename="", parsed=parsed, by=by, dry_run=dry_run)


def clean_filename(filename: str) -> str:
    """The name as shown and stored: its last part, without control characters, cut to fit."""
    base = posixpath.basename(filename.replace("\\", "/")) or "upload"
    return "".join(ch for ch in base if ch.isprintable())[:MAX_FILENAME]


def _apply(*, workspace: Workspace, kind: str, filename: str, parsed: Parsed, by: User | None, dry_run: bool) -> ImportResult:
    rows = len(parsed.web) + len(parsed.support)
    if not rows and parsed.problems:
        what = filename or "the request"
        raise FileRefused(f"not one line of {what} can be imported; nothing was changed", parsed.problems)
    result = ImportResult(kind=kind, filename=filename, dry_run=dry_run, skipped=parsed.problems, left_out=parsed.left_out)
    result.notes = list(parsed.notes)
    _sort_campaigns(workspace, parsed.web, result)
    _note_totals_beside_channels(parsed.support, result)
    if dry_run or not rows:
        _compare(workspace, kind, parsed, result)
        if not rows:
            result.notes.append("Nothing in this file is from social media or names a campaign: there is nothing to import.")
        return result
    try:
        with transaction.atomic():
            existing = _compare(workspace, kind, parsed, result)
            result.imported = AnalyticsImport.objects.create(
                workspace=workspace, kind=kind, filename=filename, rows=rows, skipped=len(parsed.problems), by=by
            )
            if kind == Kind.SUPPORT:
                _write_support(workspace, parsed.support, existing, result.imported)
            else:
                _write_web(workspace, kind, parsed.web, existing, result.imported)
    except IntegrityError as exc:
        if not _duplicate(exc):
            raise
        raise Conflict(
            "another import wrote some of the same days at the same time; nothing was imported from this file: import it again"
        ) from None
    return result


def _duplicate(exc: IntegrityError) -> bool:
    """Whether a row of the same key was written meanwhile (a unique constraint), rather than
    the database refusing for another reason (which is no conflict, and is raised as it is)."""
    return getattr(exc.__cause__, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(exc)


def _compare(workspace: Workspace, kind: str, parsed: Parsed, result: ImportResult) -> list[int]:
    """Fill in what the rows add and replace; return the ids of the rows they replace."""
    if kind == Kind.SUPPORT:
        before_support = _existing_support(workspace, parsed.support)
        pairs: list[tuple[dt.date, str, str, str | None]] = [
            (r.day, r.channel or "all channels", f"{r.inquiries} inquiries", _support_text(before_support.get((r.day, r.channel))))
            for r in parsed.support
        ]
        ids = [c.pk for key, c in before_support.items() if key in {(r.day, r.channel) for r in parsed.support}]
    else:
        before_web = _existing_web(workspace, kind, parsed.web)
        pairs = [
            (r.day, f"{r.source or '(no source)'} / {r.campaign or '(no campaign)'}", _web_text(r), _web_before(before_web.get(r.key)))
            for r in parsed.web
        ]
        ids = [before_web[r.key].pk for r in parsed.web if r.key in before_web]
    result.rows = len(pairs)
    replaced_days = sorted({day for day, _, _, before in pairs if before is not None})
    result.replaced_days = replaced_days
    result.new_days = sorted({day for day, _, _, _ in pairs} - set(replaced_days))
    result.replaced = sum(1 for *_, before in pairs if before is not None)
    result.new = result.rows - result.replaced
    result.changes = [Replacement(day, what, before, after) for day, what, after, before in pairs if before is not None][:MAX_SHOWN_CHANGES]
    return ids


def _existing_web(workspace: Workspace, origin: str, rows: list[WebRow]) -> dict[tuple[dt.date, str, str], WebTraffic]:
    if not rows:
        return {}
    first, last = min(r.day for r in rows), max(r.day for r in rows)
    found = WebTraffic.objects.filter(workspace=workspace, origin=origin, day__range=(first, last))
    return {(w.day, w.utm_source, w.utm_campaign): w for w in found}


def _existing_support(workspace: Workspace, rows: list[SupportRow]) -> dict[tuple[dt.date, str], SupportCount]:
    if not rows:
        return {}
    first, last = min(r.day for r in rows), max(r.day for r in rows)
    return {(c.day, c.channel): c for c in SupportCount.objects.filter(workspace=workspace, day__range=(first, last))}


def _write_web(workspace: Workspace, origin: str, rows: list[WebRow], replaced: list[int], record: AnalyticsImport) -> None:
    WebTraffic.objects.filter(pk__in=replaced).delete()
    WebTraffic.objects.bulk_create(
        [
            WebTraffic(
                workspace=workspace,
                origin=origin,
                day=r.day,
                utm_source=r.source,
                utm_campaign=r.campaign,
                visits=r.visits,
                duration_seconds=r.duration_seconds,
                conversions=r.conversions,
                imported=record,
            )
            for r in rows
        ],
        batch_size=500,
    )


def _write_support(workspace: Workspace, rows: list[SupportRow], replaced: list[int], record: AnalyticsImport) -> None:
    SupportCount.objects.filter(pk__in=replaced).delete()
    SupportCount.objects.bulk_create(
        [SupportCount(workspace=workspace, day=r.day, channel=r.channel, inquiries=r.inquiries, imported=record) for r in rows],
        batch_size=500,
    )


def _web_text(row: WebRow) -> str:
    parts = [f"{row.visits} visits"]
    if row.duration_seconds is not None:
        parts.append(f"{row.duration_seconds:.0f} s a visit")
    if row.conversions is not None:
        parts.append(f"{row.conversions} conversions")
    return ", ".join(parts)


def _web_before(found: WebTraffic | None) -> str | None:
    if found is None:
        return None
    row = WebRow(found.day, found.utm_source, found.utm_campaign, found.visits, found.duration_seconds, found.conversions)
    return _web_text(row)


def _support_text(found: SupportCount | None) -> str | None:
    return f"{found.inquiries} inquiries" if found is not None else None


def _sort_campaigns(workspace: Workspace, rows: list[WebRow], result: ImportResult) -> None:
    """Which campaigns the plan knows: an objective's id (Strata's short links) or a pillar's."""
    named = sorted({r.campaign for r in rows if r.campaign})
    if not named:
        return
    plan = current_plan(workspace).plan
    known = {o.id for o in plan.objectives} | {p.id for p in plan.content.pillars}
    result.campaigns = [c for c in named if c in known]
    result.other_campaigns = [c for c in named if c not in known]
    if result.other_campaigns:
        shown = ", ".join(result.other_campaigns[:10]) + (" …" if len(result.other_campaigns) > 10 else "")
        result.notes.append(f"Campaigns that name no objective or pillar of the plan (imported all the same): {shown}.")


def _note_totals_beside_channels(rows: list[SupportRow], result: ImportResult) -> None:
    days_with_total = {r.day for r in rows if not r.channel}
    mixed = sorted({r.day for r in rows if r.channel and r.day in days_with_total})
    if mixed:
        result.notes.append(
            f"{len(mixed)} day{'s' if len(mixed) > 1 else ''} ({mixed[0].isoformat()}…) have a total for all channels and per-channel "
            "counts: reports use the total on those days."
        )
