"""/w/<slug>/imports/: past imports, and a file to check (dry run) or import. Thin: the reading
is in the parsers, the writing in actions.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.analytics.imports import actions
from strata.analytics.imports.limits import MAX_BYTES, megabytes
from strata.analytics.imports.models import AnalyticsImport
from strata.analytics.imports.problems import FileRefused, Problem
from strata.publishing import csvio

SHOWN_IMPORTS = 50
SHOWN_PROBLEMS = 500


def _access(request: HttpRequest, slug: str, permission: str) -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


@login_required
def imports_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug, "report.view")
    context: dict[str, Any] = {"kind": request.POST.get("kind", "")}
    status = 200
    if request.method == "POST":
        access = _access(request, slug, "analytics.import")
        status = _upload(request, access, context)
    context.update(
        access=access,
        imports=AnalyticsImport.objects.filter(workspace=access.workspace).select_related("by")[:SHOWN_IMPORTS],
        kinds=AnalyticsImport.Kind.choices,
        may_import=access.may("analytics.import"),
        max_size=megabytes(MAX_BYTES),
        shown_problems=SHOWN_PROBLEMS,
    )
    return render(request, "analytics/imports/imports.html", context, status=status)


def _upload(request: HttpRequest, access: Access, context: dict[str, Any]) -> int:
    """Check or import the chosen file; put the result or the refusal in `context`."""
    upload = request.FILES.get("file")
    kind = request.POST.get("kind", "")
    if kind not in actions.PARSERS:
        context["kind_error"] = "Choose what the file is: a Plausible export, a GA4 export or support inquiries."
        return 422
    # A new file wins; without one, the file this person checked last (kept server-side, like
    # the posts' CSV), so that importing after a clean check does not ask for the file again.
    kept = None if upload else csvio.checked(workspace=access.workspace, actor=access.user, checked_id=request.POST.get("checked", ""))
    if kept is not None and not kept.name.startswith(f"{kind}:"):
        kept = None  # checked as another kind of file: check it again as this one
    if upload is None and kept is None:
        context["file_error"] = (
            "The checked file is no longer kept (an hour has passed, or you checked another); choose it again."
            if request.POST.get("checked")
            else "Choose a file first."
        )
        return 422
    if upload is not None:
        name = actions.clean_filename(upload.name or "upload")
        if upload.size is not None and upload.size > MAX_BYTES:
            context["refused"] = [Problem(name, 0, "", f"the file is over {megabytes(MAX_BYTES)}; export fewer days at a time")]
            return 422
        data = upload.read(MAX_BYTES + 1)
    else:
        assert kept is not None
        name, data = kept.name.partition(":")[2], bytes(kept.data)
    dry_run = not request.POST.get("confirm")
    try:
        context["result"] = result = actions.import_file(
            workspace=access.workspace, kind=kind, data=data, filename=name, by=access.user, dry_run=dry_run
        )
    except FileRefused as exc:
        context["refused"] = exc.errors
        context["refused_message"] = exc.message
        return 422
    except ActionError as exc:
        context["refused"] = [Problem(name, 0, "", exc.message)]
        return exc.status
    if dry_run and result.rows:
        context["checked"] = csvio.keep_checked(workspace=access.workspace, actor=access.user, name=f"{kind}:{name}", raw=data)
    elif kept is not None:
        kept.delete()
    return 200
