"""Posts to and from CSV. One row per variant; rows that share a `post` label form one post.

Import columns: post (optional grouping label), channel, text, link, objective, pillar, kind,
title, scheduled_at (ISO 8601; without an offset it is read in the workspace's time zone).
An import is checked whole first (the dry run shows every row's errors) and written all or
nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from strata.accounts.actions import ActionError
from strata.accounts.models import User, Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.models import Post
from strata.publishing.planlink import PlanLink

COLUMNS = ["post", "channel", "text", "link", "objective", "pillar", "kind", "title", "scheduled_at"]
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
    "variant_state",
    "uri",
    "url",
]
MAX_BYTES = 5 * 1024 * 1024
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


def read(workspace: Workspace, raw: bytes) -> ImportReport:
    """Check the whole file; nothing is written."""
    if len(raw) > MAX_BYTES:
        return ImportReport([], [RowError(1, "", "the file is over 5 MB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ImportReport([], [RowError(raw.count(b"\n", 0, exc.start) + 1, "", "the file is not UTF-8 text; save it as CSV UTF-8")])
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        return ImportReport([], [RowError(1, "", f"the header cannot be read as CSV: {exc}")])
    missing = [c for c in ("channel", "text") if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        problems = ([f"missing column(s): {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s): {', '.join(unknown)} (known: {', '.join(COLUMNS)})"] if unknown else []
        )
        return ImportReport([], [RowError(1, "", "; ".join(problems))])
    link = PlanLink.of(workspace)
    tz = zoneinfo.ZoneInfo(workspace.timezone)
    grouped: dict[str, Planned] = {}
    errors: list[RowError] = []
    try:
        for number, row in enumerate(reader, start=2):
            _read_row(workspace, link, tz, number, row, grouped, errors)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "", f"this line cannot be read as CSV: {exc}"))
    return ImportReport(list(grouped.values()), errors)


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
) -> None:
    """Check one row and add it to its post (by its `post` label), or add its errors."""
    cells = {k.strip(): (v if isinstance(v, str) else "").strip() for k, v in row.items() if k}
    label = cells.get("post") or f"row-{number}"
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
    variant = VariantInput(channel, cells["text"], cells.get("link", ""))
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


def import_posts(*, workspace: Workspace, actor: User | None, raw: bytes, schedule: bool) -> list[Post]:
    """Write the posts of a checked file, all or nothing. With `schedule`, rows with a time are
    approved and scheduled (the caller has checked that the person may do both)."""
    report = read(workspace, raw)
    if report.errors:
        raise ActionError("; ".join(str(e) for e in report.errors[:20]))
    made = []
    with transaction.atomic():
        for planned in report.posts:
            post = actions.create_post(workspace=workspace, actor=actor, data=planned.data)
            if schedule and planned.at is not None:
                actions.approve(post=post, actor=actor)
                actions.schedule(post=post, actor=actor, at=planned.at, accept_mix_warning=True)
            made.append(post)
    return made


def export(workspace: Workspace) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for post in Post.objects.filter(workspace=workspace).prefetch_related("variants").order_by("scheduled_at", "pk"):
        for v in post.variants.all():
            writer.writerow(
                [
                    post.pk,
                    post.title,
                    post.state,
                    post.scheduled_at.isoformat() if post.scheduled_at else "",
                    post.objective_id,
                    post.pillar_id,
                    post.kind,
                    v.channel_id,
                    v.text,
                    v.link,
                    v.state,
                    v.remote_id,
                    v.remote_url,
                ]
            )
    return out.getvalue()
