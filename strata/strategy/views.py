"""Pages for the plan: overview, review, map, the element editors, sections, the plan file and history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.strategy import actions, health
from strata.strategy.editor import FIELDS, element_from_form, split_errors
from strata.strategy.elements import KINDS, ElementKind
from strata.strategy.form_errors import summary
from strata.strategy.map_badges import badges
from strata.strategy.panels import render_panels
from strata.strategy.plan.schema import PLATFORMS, WEEKDAYS, PlanDocument, schema_choices
from strata.strategy.refs import finding_url
from strata.strategy.review.registry import REGISTRY, Review, run_review
from strata.strategy.store import current_plan
from strata.strategy.strategy_map import build_map
from strata.strategy.wording import field_label, in_form_words


def _access(request: HttpRequest, slug: str, permission: str = "plan.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _kind(name: str) -> ElementKind:
    if name not in KINDS:
        raise Http404("no such part of the plan")
    return KINDS[name]


def _score_class(score: int) -> str:
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


def _review(access: Access) -> tuple[PlanDocument, int, Review]:
    current = current_plan(access.workspace)
    return current.plan, current.revision, run_review(current.plan, workspace_id=access.workspace.pk)


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    plan, revision, review = _review(access)
    counts = [(kind, len(kind.of(plan))) for kind in KINDS.values()]
    top = [(f, finding_url(slug, f)) for f in review.findings[:6]]
    points = health.scores(access.workspace, revision, review.score) if revision else []
    return render(
        request,
        "strategy/overview.html",
        {
            "access": access,
            "plan": plan,
            "revision": revision,
            "review": review,
            "counts": counts,
            "top": top,
            "score_class": _score_class(review.score),
            "trend": health.trend(points),
            "panels": render_panels(access, request),
        },
    )


@login_required
def review_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    _plan, _revision, review = _review(access)
    severity = request.GET.get("severity", "")
    code = request.GET.get("code", "")
    findings = [f for f in review.findings if (not severity or f.severity == severity) and (not code or f.code == code)]
    page = Paginator(findings, 100).get_page(request.GET.get("page"))
    codes = sorted({f.code for f in review.findings})
    context = {
        "access": access,
        "review": review,
        "page": page,
        "severity": severity,
        "code": code,
        "codes": codes,
        "rows": [(f, finding_url(slug, f)) for f in page.object_list],
        "score_class": _score_class(review.score),
        "checks": REGISTRY,
    }
    template = "strategy/review_findings.html" if request.headers.get("HX-Request") else "strategy/review.html"
    return render(request, template, context)


@login_required
def strategy_map(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    plan, _, review = _review(access)
    drawing = build_map(plan, review, lambda kind, ident: reverse("element-edit", args=[slug, kind, ident]), badges(access.workspace, plan))
    sections = [(f, finding_url(slug, f)) for f in drawing.section_findings]
    return render(request, "strategy/map.html", {"access": access, "map": drawing, "sections": sections})


@login_required
def element_list(request: HttpRequest, slug: str, kind_name: str) -> HttpResponse:
    access = _access(request, slug)
    kind = _kind(kind_name)
    plan, _, review = _review(access)
    rows = []
    for element in kind.of(plan):
        findings = review.for_ref(f"{kind.singular}:{element.id}")
        rows.append((element, findings))
    summary = {f.name: f for f in FIELDS[kind.name]}
    return render(
        request,
        "strategy/element_list.html",
        {
            "access": access,
            "kind": kind,
            "rows": rows,
            "summary_fields": list(summary)[1:3],
            "section_findings": [(f, finding_url(slug, f)) for f in review.findings if kind.section and f.ref == kind.section],
        },
    )


def _element_context(
    access: Access, kind: ElementKind, plan: PlanDocument, values: dict[str, Any], errors: dict[str, list[str]], general: list[str]
) -> dict[str, Any]:
    options = {
        name: [
            (e.id, getattr(e, "name", None) or getattr(e, "statement", None) or getattr(e, "description", None) or getattr(e, "handle", ""))
            for e in KINDS[name].of(plan)
        ]
        for name in ("goals", "people", "objectives", "strategies", "audiences", "channels")
    }
    return {
        "access": access,
        "kind": kind,
        "fields": FIELDS[kind.name],
        "values": values,
        "errors": errors,
        "problems": summary(errors, general, label=lambda name: field_label(kind.name, name), order=[f.name for f in FIELDS[kind.name]]),
        "options": options,
        "platforms": PLATFORMS,
        "weekdays": WEEKDAYS,
        "people": plan.people,
        "may_edit": access.may("plan.edit"),
        "sentiments": schema_choices()["sentiment"],
        "intents": schema_choices()["intent"],
    }


def _values_from_element(element: dict[str, Any]) -> dict[str, Any]:
    """Flatten an element into form values: kpi.target, presence.bluesky, responsible.maria.mon, when.keywords."""
    values: dict[str, Any] = {}
    for key, value in element.items():
        if key in ("kpi", "when") and isinstance(value, dict):
            for sub, item in value.items():
                values[f"{key}.{sub}"] = ", ".join(item) if isinstance(item, list) else item
        elif key == "presence" and isinstance(value, dict):
            for platform, size in value.items():
                values[f"presence.{platform}"] = size
        elif key == "responsible" and isinstance(value, list):
            for duty in value:
                for day in duty.get("days", []):
                    values[f"responsible.{duty.get('person')}.{day}"] = True
                if duty.get("hours"):
                    values[f"responsible.{duty.get('person')}.hours"] = duty["hours"]
        else:
            values[key] = value
    return values


def _values_from_post(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in request.POST:
        items = request.POST.getlist(key)
        values[key] = items if len(items) > 1 or key in ("serves", "audiences") else items[0]
    return values


@login_required
def element_edit(request: HttpRequest, slug: str, kind_name: str, element_id: str | None = None) -> HttpResponse:
    access = _access(request, slug)
    kind = _kind(kind_name)
    current = current_plan(access.workspace)
    items = kind.of(current.plan)
    existing = next((e for e in items if e.id == element_id), None) if element_id else None
    if element_id and existing is None:
        raise Http404(f"no {kind.singular} '{element_id}'")
    status = 200
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        access = _access(request, slug, "plan.edit")
        element = element_from_form(kind, request.POST, current.plan)
        expected = request.POST.get("revision")
        try:
            actions.put_element(
                workspace=access.workspace,
                author=access.user,
                kind=kind,
                element_id=element_id,
                element=element,
                expected_revision=int(expected) if expected and expected.isascii() and expected.isdigit() else None,
            )
        except actions.ElementInvalid as exc:
            position = next((i for i, e in enumerate(items) if e.id == element_id), len(items))
            errors, general = split_errors(kind, element.get("id"), position, exc.errors, current.plan)
            status = 422
        except ActionError as exc:
            if exc.field:
                errors[exc.field] = [exc.message]
            else:
                general = [exc.message]
            status = exc.status
        else:
            messages.success(request, f"Saved {kind.singular} {element.get('id')}.")
            return redirect("element-edit", slug=slug, kind_name=kind.name, element_id=element["id"])
        values = _values_from_post(request)
    else:
        values = _values_from_element(existing.model_dump(mode="json", exclude_none=True)) if existing else {}
    context = _element_context(access, kind, current.plan, values, errors, general)
    review = run_review(current.plan, workspace_id=access.workspace.pk) if existing else None
    context.update(
        {
            "element_id": element_id,
            "revision": current.revision,
            "findings": review.for_ref(f"{kind.singular}:{element_id}") if review else [],
        }
    )
    return render(request, "strategy/element_form.html", context, status=status)


@login_required
@require_POST
def element_delete(request: HttpRequest, slug: str, kind_name: str, element_id: str) -> HttpResponse:
    access = _access(request, slug, "plan.edit")
    kind = _kind(kind_name)
    try:
        actions.delete_element(workspace=access.workspace, author=access.user, kind=kind, element_id=element_id)
    except ActionError as exc:
        messages.error(request, in_form_words(exc.message, current_plan(access.workspace).plan))
        return redirect("element-edit", slug=slug, kind_name=kind.name, element_id=element_id)
    messages.success(request, f"Removed {kind.singular} {element_id}.")
    return redirect("element-list", slug=slug, kind_name=kind.name)
