"""The plan, its elements, its history and its review over the API."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router
from ninja.responses import Status

from strata.accounts.actions import ActionError
from strata.accounts.scoping import workspace_access
from strata.nul import MESSAGE, holds_nul
from strata.strategy import actions
from strata.strategy.elements import KINDS, ElementKind
from strata.strategy.models import PlanRevision
from strata.strategy.plan.dump import dump_plan
from strata.strategy.plan.loader import MAX_BYTES, load_plan, too_large
from strata.strategy.review.registry import run_review
from strata.strategy.schema import PlanErrorsOut, PlanOut, ReviewOut, RevisionOut, WorkspaceReviewOut
from strata.strategy.store import current_plan

router = Router(tags=["plan"])

PLAN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            # The plan document's schema is added to the components in strata/api_docs.py.
            "application/yaml": {
                "schema": {"$ref": "#/components/schemas/PlanDocument"},
                "example": "strata: 1\nworkspace: {name: Acme Bikes}\n",
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/PlanDocument"}},
        },
    }
}


def _body(request: HttpRequest) -> bytes:
    """The plan file in the body, refused by its declared length before it is read: Django
    would read up to DATA_UPLOAD_MAX_MEMORY_SIZE and then answer with a bare 400."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES:
        raise too_large(declared, "request body")
    try:
        body = request.body
    except RequestDataTooBig:
        raise too_large(None, "request body") from None
    if len(body) > MAX_BYTES:
        raise too_large(len(body), "request body")
    return body


def _json_object(request: HttpRequest) -> dict[str, Any]:
    try:
        value = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ActionError(f"the body is not JSON: {exc}") from None
    except RecursionError:
        raise ActionError("the body is nested too deeply to be an element") from None
    if not isinstance(value, dict):
        raise ActionError("the body must be a JSON object with the element's fields")
    if holds_nul(value):
        raise ActionError(MESSAGE)
    return value


def _kind(name: str) -> ElementKind:
    if name not in KINDS:
        raise Http404(f"no part of the plan called '{name}' (one of {', '.join(KINDS)})")
    return KINDS[name]


@router.post("/plan/check", response={200: ReviewOut, 422: PlanErrorsOut}, openapi_extra=PLAN_BODY, auth=None)
def check_plan(request: HttpRequest) -> dict[str, Any]:
    """Review a plan file without storing it: the same findings and score as `strata plan check`.
    The body is the file (YAML, or JSON, which is YAML too). Needs no sign-in: nothing is stored."""
    plan = load_plan(_body(request), "request body")
    return run_review(plan).as_dict()


@router.get("/workspaces/{slug}/plan", response=PlanOut)
def get_plan(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The workspace's plan as JSON, in the shape of a plan file, with its revision number."""
    access = workspace_access(request.user, slug)  # type: ignore[arg-type]
    current = current_plan(access.workspace)
    return {"revision": current.revision, "plan": current.plan.model_dump(mode="json", exclude_none=True)}


@router.put("/workspaces/{slug}/plan", response={200: WorkspaceReviewOut, 422: PlanErrorsOut}, openapi_extra=PLAN_BODY)
def import_plan(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Replace the plan with a plan file (strategists and owners), all or nothing.
    Errors come back as 422 with the same messages as `strata plan import`."""
    access = workspace_access(request.user, slug, "plan.edit")  # type: ignore[arg-type]
    workspace, revision = actions.import_plan(
        data=_body(request),
        filename="request body",
        workspace=access.workspace,
        slug=slug,
        author=access.user,
        source=PlanRevision.Source.API,
    )
    current = current_plan(workspace)
    return {"revision": revision.number, **run_review(current.plan, workspace_id=workspace.pk).as_dict()}


@router.get("/workspaces/{slug}/plan.yaml")
def export_plan(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan as a YAML plan file, as `strata plan export` writes it."""
    access = workspace_access(request.user, slug)  # type: ignore[arg-type]
    return HttpResponse(dump_plan(current_plan(access.workspace).plan), content_type="application/yaml; charset=utf-8")


@router.get("/workspaces/{slug}/review", response=WorkspaceReviewOut)
def workspace_review(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The strategy review of the workspace's plan: findings and the 0–100 health score."""
    access = workspace_access(request.user, slug)  # type: ignore[arg-type]
    current = current_plan(access.workspace)
    return {"revision": current.revision, **run_review(current.plan, workspace_id=access.workspace.pk).as_dict()}


@router.get("/workspaces/{slug}/plan/revisions", response=list[RevisionOut])
def list_revisions(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The plan's history, newest first (up to 200)."""
    access = workspace_access(request.user, slug)  # type: ignore[arg-type]
    revisions = PlanRevision.objects.filter(workspace=access.workspace).select_related("author")[:200]
    return [
        {
            "number": r.number,
            "source": r.source,
            "summary": r.summary,
            "author": r.author.email if r.author else None,
            "created_at": r.created_at.isoformat(),
        }
        for r in revisions
    ]


@router.get("/workspaces/{slug}/plan/{kind}")
def list_elements(request: HttpRequest, slug: str, kind: str) -> list[dict[str, Any]]:
    """All elements of one kind: people, stakeholders, goals, objectives, strategies, audiences, channels, pillars or rules."""
    access = workspace_access(request.user, slug)  # type: ignore[arg-type]
    element_kind = _kind(kind)
    return [e.model_dump(mode="json", exclude_none=True) for e in element_kind.of(current_plan(access.workspace).plan)]


ELEMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": "the element as in a plan file"}}},
    }
}


@router.post("/workspaces/{slug}/plan/{kind}", response={201: dict[str, Any]}, openapi_extra=ELEMENT_BODY)
def add_element(request: HttpRequest, slug: str, kind: str) -> Status[dict[str, Any]]:
    """Add an element (strategists and owners). The body is the element as in a plan file, in JSON."""
    access = workspace_access(request.user, slug, "plan.edit")  # type: ignore[arg-type]
    element_kind = _kind(kind)
    element = _json_object(request)
    actions.put_element(
        workspace=access.workspace, author=access.user, kind=element_kind, element_id=None, element=element, source=PlanRevision.Source.API
    )
    return Status(201, _get(access.workspace, element_kind, str(element["id"])))


def _get(workspace: Any, kind: ElementKind, element_id: str) -> dict[str, Any]:
    element = next((e for e in kind.of(current_plan(workspace).plan) if e.id == element_id), None)
    if element is None:
        raise Http404(f"no {kind.singular} '{element_id}'")
    return element.model_dump(mode="json", exclude_none=True)  # type: ignore[no-any-return]


@router.get("/workspaces/{slug}/plan/{kind}/{element_id}")
def get_element(request: HttpRequest, slug: str, kind: str, element_id: str) -> dict[str, Any]:
    """One element by id."""
    access = workspace_access(request.user, slug)  # type: ignore[arg-type]
    return _get(access.workspace, _kind(kind), element_id)


@router.put("/workspaces/{slug}/plan/{kind}/{element_id}", openapi_extra=ELEMENT_BODY)
def put_element(request: HttpRequest, slug: str, kind: str, element_id: str) -> dict[str, Any]:
    """Replace an element (strategists and owners); a different id in the body renames it."""
    access = workspace_access(request.user, slug, "plan.edit")  # type: ignore[arg-type]
    element_kind = _kind(kind)
    element = _json_object(request)
    actions.put_element(
        workspace=access.workspace,
        author=access.user,
        kind=element_kind,
        element_id=element_id,
        element=element,
        source=PlanRevision.Source.API,
    )
    return _get(access.workspace, element_kind, str(element.get("id")))


@router.delete("/workspaces/{slug}/plan/{kind}/{element_id}", response={204: None})
def delete_element(request: HttpRequest, slug: str, kind: str, element_id: str) -> Status[None]:
    """Remove an element (strategists and owners). Refused with 409 while other elements use it."""
    access = workspace_access(request.user, slug, "plan.edit")  # type: ignore[arg-type]
    actions.delete_element(
        workspace=access.workspace, author=access.user, kind=_kind(kind), element_id=element_id, source=PlanRevision.Source.API
    )
    return Status(204, None)
