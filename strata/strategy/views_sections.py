"""Pages for the plan's sections without ids, the plan file, and the plan's history."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from strata.accounts.actions import ActionError
from strata.accounts.forms import TIMEZONES
from strata.strategy import actions
from strata.strategy.form_errors import summary
from strata.strategy.models import PlanRevision
from strata.strategy.plan.dump import dump_plan
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import MAX_BYTES, too_large
from strata.strategy.plan.schema import PlanDocument, schema_choices
from strata.strategy.refs import finding_url, section_refs
from strata.strategy.review.registry import run_review
from strata.strategy.settings_parts import render_parts
from strata.strategy.store import current_plan
from strata.strategy.views import _access
from strata.strategy.wording import SECTION_LABELS, in_form_words

SECTIONS = {
    "governance": ("Governance", "governance", "plan.edit"),
    "mix": ("Content mix", "content.mix", "plan.edit"),
    "measurement": ("Reporting", "measurement", "plan.edit"),
    "workspace": ("Workspace settings", "workspace", "workspace.manage"),
}


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _share(text: str | None) -> str | float | None:
    """A share as every screen shows it, "80%" or "80" (a number above 1 is a percentage), or
    as the plan file writes it, "0.8". Anything else goes on as typed, for the schema to refuse."""
    value = _text(text)
    if value is None:
        return None
    try:
        number = float(value.removesuffix("%").strip().replace(",", "."))
    except ValueError:
        return value
    if not math.isfinite(number):
        return value
    return number / 100 if value.endswith("%") or number > 1 else number


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def _section_value(section: str, post: Any) -> dict[str, Any]:
    if section == "governance":
        value: dict[str, Any] = {k: v for k in ("driver", "ringleader") if (v := _text(post.get(k)))}
        budget = {k: v for k in ("amount", "currency", "per") if (v := _text(post.get(f"budget.{k}")))}
        if budget:
            value["budget"] = budget
        return value
    if section == "mix":
        return {k: share for k in ("social", "promotional") if (share := _share(post.get(k))) is not None}
    if section == "measurement":
        return {
            "reports": [{"kind": kind, "to": post.getlist(f"{kind}.to")} for kind in ("monthly", "six_month") if post.get(f"{kind}.on")]
        }
    return {k: v for k in ("name", "timezone") if (v := _text(post.get(k)))}


def _section_values(section: str, plan: PlanDocument) -> dict[str, Any]:
    if section == "governance":
        g = plan.governance
        values: dict[str, Any] = {"driver": g.driver, "ringleader": g.ringleader}
        if g.budget:
            values.update({"budget.amount": f"{g.budget.amount:g}", "budget.currency": g.budget.currency, "budget.per": g.budget.per})
        return values
    if section == "mix":
        return {"social": _percent(plan.content.mix.social), "promotional": _percent(plan.content.mix.promotional)}
    if section == "measurement":
        values = {}
        for report in plan.measurement.reports:
            values[f"{report.kind}.on"] = True
            values[f"{report.kind}.to"] = report.to
        return values
    return {"name": plan.workspace.name, "timezone": plan.workspace.timezone}


@login_required
def section(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    if name not in SECTIONS:
        raise Http404("no such section")
    title, path, permission = SECTIONS[name]
    access = _access(request, slug, "plan.view" if name != "workspace" else permission)
    current = current_plan(access.workspace)
    errors: dict[str, list[str]] = {}
    status = 200
    values = _section_values(name, current.plan)
    if request.method == "POST":
        access = _access(request, slug, permission)
        try:
            actions.put_section(workspace=access.workspace, author=access.user, section=path, value=_section_value(name, request.POST))
        except actions.ElementInvalid as exc:
            for error in exc.errors:
                field = error.path.removeprefix(path).lstrip(".").split("[")[0] or "_"
                errors.setdefault(field, []).append(in_form_words(error.message, current.plan))
            status = 422
            values = {k: (request.POST.getlist(k) if k.endswith(".to") else request.POST.get(k)) for k in request.POST}
        except ActionError as exc:
            errors.setdefault(exc.field or "_", []).append(exc.message)
            status = exc.status
            values = {k: (request.POST.getlist(k) if k.endswith(".to") else request.POST.get(k)) for k in request.POST}
        else:
            messages.success(request, f"Saved {title.lower()}.")
            return redirect("plan-section", slug=slug, name=name)
    labels = SECTION_LABELS[path]
    refs = section_refs(name)
    findings = run_review(current.plan, workspace_id=access.workspace.pk).findings if refs else []
    context = {
        "access": access,
        "name": name,
        "title": title,
        "values": values,
        "errors": errors,
        "problems": summary(
            errors,
            [],
            label=lambda field: labels.get(field, field),
            order=list(labels),
            target=lambda field: {"reports": "f-monthly.on", "budget": "f-budget.amount"}.get(field, f"f-{field}"),
        ),
        "findings": [(f, finding_url(slug, f)) for f in findings if f.ref in refs],
        "parts": render_parts(access, request) if name == "workspace" else [],
        "people": current.plan.people,
        "stakeholders": current.plan.governance.stakeholders,
        "choices": schema_choices(),
        "timezones": TIMEZONES,
        "may_edit": access.may(permission),
    }
    return render(request, "strategy/section.html", context, status=status)


@login_required
def plan_file(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    errors: list[PlanInvalid] = []
    status = 200
    if request.method == "POST":
        access = _access(request, slug, "plan.edit")
        upload = request.FILES.get("file")
        text = request.POST.get("text", "")
        if upload is not None:
            data, filename = upload.read(MAX_BYTES + 1), upload.name or "upload.yaml"
        else:
            data, filename = text.encode("utf-8"), "pasted plan"
        try:
            if len(data) > MAX_BYTES:
                raise too_large(upload.size if upload is not None else len(data), filename)
            _, revision = actions.import_plan(
                data=data, filename=filename, workspace=access.workspace, slug=slug, author=access.user, source=PlanRevision.Source.IMPORT
            )
        except PlanInvalid as exc:
            errors.append(exc)
            status = 422
        else:
            messages.success(request, f"Imported {filename} as plan revision {revision.number}.")
            return redirect("plan-review", slug=slug)
    return render(
        request,
        "strategy/plan_file.html",
        {"access": access, "errors": errors[0].errors if errors else [], "may_edit": access.may("plan.edit")},
        status=status,
    )


@login_required
def plan_export(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    number = request.GET.get("revision")
    if number:
        revision = get_object_or_404(
            PlanRevision, workspace=access.workspace, number=int(number) if number.isascii() and number.isdigit() else -1
        )
        plan = PlanDocument.model_validate(revision.document)
    else:
        plan = current_plan(access.workspace).plan
    response = HttpResponse(dump_plan(plan), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-plan.yaml"'
    return response


@login_required
def history(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    revisions = (
        PlanRevision.objects.filter(workspace=access.workspace)
        .select_related("author")
        .only("number", "source", "summary", "reason", "created_at", "author__email")[:200]
    )
    return render(request, "strategy/history.html", {"access": access, "revisions": revisions})


__all__ = ["ActionError", "history", "plan_export", "plan_file", "section"]
