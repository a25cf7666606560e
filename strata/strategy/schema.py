from __future__ import annotations

from typing import Any

from ninja import Schema


class FindingOut(Schema):
    code: str
    severity: str
    ref: str
    message: str
    fix: str


class ReviewOut(Schema):
    findings: list[FindingOut]
    score: int


class WorkspaceReviewOut(ReviewOut):
    revision: int


class PlanOut(Schema):
    revision: int
    plan: dict[str, Any]


class RevisionOut(Schema):
    number: int
    source: str
    summary: str
    author: str | None
    created_at: str


class PlanErrorOut(Schema):
    file: str
    line: int
    column: int
    path: str
    message: str


class PlanErrorsOut(Schema):
    detail: str
    errors: list[PlanErrorOut]
