"""Posts to and from CSV. One row per variant; rows that share a `post` label form one post.

Import columns: post (optional grouping label; an export's post_id serves as well), channel,
text, link, thread (further parts, separated by a line holding only ---), objective, pillar,
kind, title, scheduled_at (ISO 8601; without an offset it is read in the workspace's time zone).
What an export has besides (states, the platform's addresses) is Strata's to set, so an import
ignores those columns and says so: a file exported here imports back. Comma, semicolon (what
spreadsheets save in much of Europe) and tab separate cells; a UTF-8 byte order mark is skipped.
An import is checked whole first (the dry run shows every row's errors) and written all or
nothing. A file that passed its dry run is kept for a while (CheckedImport), so that importing
it does not ask for it again."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.timezone import now

from strata.accounts.actions import ActionError, Conflict
from strata.accounts.models import User, Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.models import CheckedImport, Post
from strata.publishing.planlink import PlanLink

COLUMNS = ["post", "channel", "text", "link", "thread", "objective", "pillar", "kind", "title", "scheduled_at"]
EXPORT_COLUMNS = [
    "post_id",
    "title",
    "state",
    "scheduled_at",
    "objective",
    "pillar",
    "kind",
    "channel",
    "text",
    "link",
    "thread",
    "variant_state",
    "uri",
    "url",
]
GROUPING = ("post", "post_id")  # the label that makes rows one post: the import's, or the export's id
EXPORT_ONLY = [c for c in EXPORT_COLUMNS if c not in COLUMNS and c not in GROUPING]
DELIMITERS = (",", ";", "\t")
PART_BREAK = "\n---\n"  # between the parts of a thread in one cell, as the compose form has them
MAX_BYTES = 5 * 1024 * 1024
CHECKED_FOR = dt.timedelta(hours=1)  # how long a file that passed its dry run is kept for importing
# Python's csv module stops at a cell over 131,072 characters with an error that names no cell;
# the file is already bounded by MAX_BYTES, so let it read any cell and check each by its column.
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))


@dataclass
class RowError:
    row: int  # the line in the file, counting the header as 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}" if self.column else f"row {self.row}: {self.message}"


@dataclass
class Planned:
    data: PostInput
    at: dt.datetime | None
    rows: list[int] = field(default_factory=list)


@dataclass
class ImportReport:
    posts: list[Planned]
    errors: list[RowError]
    notes: list[str] = field(default_factory=list)  # what was read differently from how it was written


def _delimiter(text: str) -> str:
    """The separator the header line uses most: a header names columns, it holds no commas of
    its own, so counting there is safer than guessing from the cells (which may hold any)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read(workspace: Workspace, raw: bytes, *, schedule: bool = True) -> ImportReport:
    """Check the whole file; nothing is written. Without `schedule`, a time that has passed is
    no error: the posts become drafts and the times are not used."""
    if len(raw) > MAX_BYTES:
        return ImportReport([], [RowError(1, "", "the file is over 5 MB")])
    try:
        text = raw.decode("utf-8-sig")  # skips the byte order mark spreadsheets write
    except UnicodeDecodeError as exc:
        return ImportReport([], [RowError(raw.count(b"\n", 0, exc.start) + 1, "", "the file is not UTF-8 text; save it as CSV UTF-8")])
    delimiter = _delimiter(text)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        return ImportReport([], [RowError(1, "", f"the header cannot be read as CSV: {exc}")])
    missing = [c for c in ("channel", "text") if c not in header]
    unknown = [h for h in header if h not in COLUMNS and h not in GROUPING and h not in EXPORT_ONLY]
    if missing or unknown:
        problems = ([f"missing column(s): {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s): {', '.join(unknown)} (known: {', '.join(COLUMNS)})"] if unknown else []
        )
        return ImportReport([], [RowError(1, "", "; ".join(problems))])
    notes = []
    if delimiter != ",":
        notes.append(f"Cells are separated by {'semicolons' if delimiter == ';' else 'tabs'}.")
    ignored = [h for h in header if h in EXPORT_ONLY]
    if ignored:
        notes.append(f"Ignored the column{'s' if len(ignored) > 1 else ''} {', '.join(ignored)}: Strata sets these itself.")
    link = PlanLink.of(workspace)
    tz = zoneinfo.ZoneInfo(workspace.timezone)
    grouped: dict[str, Planned] = {}
    errors: list[RowError] = []
    try:
        for number, row in enumerate(reader, start=2):
            _read_row(workspace, link, tz, number, row, grouped, errors, schedule=schedule)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "", f"this line cannot be read as CSV: {exc}"))
    if not schedule and any(p.at for p in grouped.values()):
        notes.append("The posts become drafts; their times are used only with “Approve and schedule rows that have a time”.")
    return ImportReport(list(grouped.values()), errors, notes)


def _show(value: str, limit: int = 60) -> str:
    """A cell quoted in an error, cut short: the error must not repeat a megabyte back."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _read_row(
    workspace: Workspace,
    link: PlanLink,
    tz: zoneinfo.ZoneInfo,
    number: int,
    row: dict[str | None, Any],
    grouped: dict[str, Planned],
    errors: list[RowError],
    *,
    schedule: bool,
) -> None:
    """Check one row and add it to its post (by its `post` label), or add its errors."""
    cells = {k.strip(): (v if isinstance(v, str) else "").strip() for k, v in row.items() if k}
    label = cells.get("post") or (f"id-{cells['post_id']}" if cells.get("post_id") else f"row-{number}")
    channel = cells.get("channel", "")
    if channel not in link.channels:
        errors.append(RowError(number, "channel", f"the plan has no channel '{_show(channel)}'"))
        return
    if not cells.get("text"):
        errors.append(RowError(number, "text", "empty"))
        return
    at = None
    if cells.get("scheduled_at"):
        try:
            at = dt.datetime.fromisoformat(cells["scheduled_at"])
        except ValueError:
            errors.append(
                RowError(
                    number,
                    "scheduled_at",
                    f"'{_show(cells['scheduled_at'])}' is not a date and time like 2026-12-01T09:00 or 2026-12-01T09:00+01:00",
                )
            )
            return
        at = at if at.tzinfo else at.replace(tzinfo=tz)
        # A time that has passed matters only when it is used (an export's published posts have
        # one); one beyond the horizon is refused either way.
        if schedule or at > now():
            try:
                actions.check_schedule_time(at)
            except ActionError as exc:
                errors.append(RowError(number, "scheduled_at", exc.message))
    for column, known in (("objective", link.objectives), ("pillar", set(link.pillar_kinds))):
        if cells.get(column) and cells[column] not in known:
            errors.append(RowError(number, column, f"the plan has no {column} '{_show(cells[column])}'"))
    if cells.get("kind") and cells["kind"] not in Post.Kind.values:
        errors.append(RowError(number, "kind", "social or promotional"))
    if len(cells.get("title", "")) > actions.MAX_TITLE:
        errors.append(RowError(number, "title", f"{len(cells['title']):,} characters long; at most {actions.MAX_TITLE}"))
    thread = tuple(t.strip() for t in cells.get("thread", "").replace("\r\n", "\n").split(PART_BREAK) if t.strip())
    variant = VariantInput(channel, cells["text"], cells.get("link", ""), thread)
    try:
        actions.check_content(variant)
    except ActionError as exc:
        errors.append(RowError(number, exc.field or "", exc.message))
        return  # the platform's rules need not count a text this long
    for problem in actions.check_variant(workspace, variant, link.channels[channel].platform):
        if problem.severity == "error":
            errors.append(RowError(number, "text", f"{channel}: {problem.message}"))
    planned = grouped.setdefault(
        label,
        Planned(
            PostInput(
                variants=[],
                title=cells.get("title", ""),
                objective_id=cells.get("objective", ""),
                pillar_id=cells.get("pillar", ""),
                kind=cells.get("kind", ""),
            ),
            at,
        ),
    )
    if any(v.channel_id == channel for v in planned.data.variants):
        errors.append(RowError(number, "channel", f"post '{_show(label)}' has two rows for channel '{channel}'"))
        return
    planned.data.variants.append(variant)
    planned.rows.append(number)


def import_posts(
    *, workspace: Workspace, actor: User | None, raw: bytes, schedule: bool, checked: CheckedImport | None = None
) -> list[Post]:
    """Write the posts of a checked file, all or nothing. With `schedule`, rows with a time are
    approved and scheduled (the caller has checked that the person may do both). A kept file
    (`checked`) goes in the same transaction, so that a second press of Import cannot import it
    twice: its DELETE waits for the first, then finds nothing."""
    report = read(workspace, raw, schedule=schedule)
    if report.errors:
        raise ActionError("; ".join(str(e) for e in report.errors[:20]))
    made = []
    with transaction.atomic():
        if checked is not None and not CheckedImport.objects.filter(pk=checked.pk).delete()[0]:
            raise Conflict("this file was imported already; choose it again to import it once more")
        for planned in report.posts:
            post = actions.create_post(workspace=workspace, actor=actor, data=planned.data)
            if schedule and planned.at is not None:
                actions.approve(post=post, actor=actor)
                actions.schedule(post=post, actor=actor, at=planned.at, accept_mix_warning=True)
            made.append(post)
    return made


def export(workspace: Workspace) -> str:
    """Every post, a row per variant, times in the workspace's zone with their offset."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    tz = zoneinfo.ZoneInfo(workspace.timezone)
    planned = Post.objects.filter(workspace=workspace, deleted_at=None, is_reply=False)  # replies are no plan content
    for post in planned.prefetch_related("variants").order_by("scheduled_at", "pk"):
        for v in post.variants.all():
            writer.writerow(
                [
                    post.pk,
                    post.title,
                    post.state,
                    post.scheduled_at.astimezone(tz).isoformat() if post.scheduled_at else "",
                    post.objective_id,
                    post.pillar_id,
                    post.kind,
                    v.channel_id,
                    v.text,
                    v.link,
                    PART_BREAK.join(v.thread),
                    v.state,
                    v.remote_id,
                    v.remote_url,
                ]
            )
    return out.getvalue()


def keep_checked(*, workspace: Workspace, actor: User, name: str, raw: bytes) -> CheckedImport:
    """Keep a file that passed its dry run, for its importer only; their earlier one goes, and
    so does every file kept longer than CHECKED_FOR."""
    with transaction.atomic():
        CheckedImport.objects.filter(checked_at__lt=now() - CHECKED_FOR).delete()
        CheckedImport.objects.filter(workspace=workspace, user=actor).delete()
        return CheckedImport.objects.create(workspace=workspace, user=actor, name=name[:200], data=raw)


def checked(*, workspace: Workspace, actor: User, checked_id: str) -> CheckedImport | None:
    """The file this person checked in this workspace, while it is kept; None otherwise."""
    if not (checked_id.isascii() and checked_id.isdigit()) or len(checked_id) > 18:
        return None
    return CheckedImport.objects.filter(pk=int(checked_id), workspace=workspace, user=actor, checked_at__gte=now() - CHECKED_FOR).first()
