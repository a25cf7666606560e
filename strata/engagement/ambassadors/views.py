"""The ambassadors pages: the list (candidates, confirmed, dismissed), its CSV, one person's
history with the brand, and the forms that confirm, dismiss, tag and place them in an audience.
Thin: the writes are in ambassadors/actions.py; scores are refreshed on read (refresh.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.engagement.ambassadors import actions, csvexport, listing, refresh, scoring
from strata.engagement.ambassadors.models import Ambassador, AmbassadorScoring
from strata.engagement.models import HeardItem
from strata.strategy.plan.schema import PLATFORMS
from strata.strategy.store import current_plan

PER_PAGE = 30
HISTORY_PER_PAGE = 50
WEEKS_SHOWN = 12
CSV_ROWS = 10_000
TABS = {"candidate": "Candidates", "confirmed": "Confirmed", "dismissed": "Dismissed"}


def _access(request: HttpRequest, slug: str, permission: str = "heard.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _ambassador(access: Access, ambassador_id: int) -> Ambassador:
    found = Ambassador.objects.filter(workspace=access.workspace, pk=ambassador_id).select_related("confirmed_by").first()
    if found is None:
        raise Http404("no such ambassador")
    return found


@login_required
@require_GET
def ambassadors(request: HttpRequest, slug: str) -> HttpResponse:
    """1. Score again if the scores are stale. 2. Check the filters. 3. List, best first; an htmx
    request gets the list only."""
    access = _access(request, slug)
    refresh.refresh_if_stale(access.workspace)
    plan = current_plan(access.workspace).plan
    chosen = listing.read_filter(request.GET, plan)
    page = Paginator(listing.ambassadors(access.workspace, chosen), PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in chosen.values.items() if v})
    scored = AmbassadorScoring.objects.filter(workspace=access.workspace).values_list("refreshed_at", flat=True).first()
    context = {
        "access": access,
        "slug": slug,
        "f": chosen,
        "plan": plan,
        "page": page,
        "rows": listing.shown(plan, page.object_list),
        "query": query,
        "tabs": [(s, TABS[s], n) for s, n in listing.counts(access.workspace).items()],
        "platforms": PLATFORMS,
        "scored_at": scored,
        "may_label": access.may("heard.label"),
        "back": request.get_full_path(),
        "csv_url": reverse("ambassadors-csv", args=[slug]) + ("?" + query if query else ""),
        "window_days": scoring.WINDOW.days,
    }
    template = "engagement/ambassadors/_list.html" if request.headers.get("HX-Request") else "engagement/ambassadors/list.html"
    return render(request, template, context)


@login_required
@require_GET
def ambassadors_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The list for the same filters (every page, the best CSV_ROWS), written whole."""
    access = _access(request, slug)
    refresh.refresh_if_stale(access.workspace)
    plan = current_plan(access.workspace).plan
    chosen = listing.read_filter(request.GET, plan)
    found = listing.ambassadors(access.workspace, chosen).select_related("confirmed_by")[:CSV_ROWS]
    text = "".join(csvexport.rows(listing.shown(plan, found), access.workspace.tzinfo))
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-ambassadors-{chosen.status}.csv"'
    return response


@login_required
@require_GET
def ambassador(request: HttpRequest, slug: str, ambassador_id: int) -> HttpResponse:
    access = _access(request, slug)
    refresh.refresh_if_stale(access.workspace)
    found = _ambassador(access, ambassador_id)
    return render(request, "engagement/ambassadors/person.html", _person_context(request, access, found))


def _person_context(request: HttpRequest, access: Access, found: Ambassador, **extra: Any) -> dict[str, Any]:
    plan = current_plan(access.workspace).plan
    history = (
        HeardItem.objects.filter(workspace=access.workspace, platform=found.platform, author_id=found.author_id, context=False)
        .select_related("conversation")
        .order_by("-created_at", "-pk")
    )
    return {
        "access": access,
        "slug": access.workspace.slug,
        "r": listing.shown(plan, [found])[0],
        "a": found,
        "plan": plan,
        "history": Paginator(history, HISTORY_PER_PAGE).get_page(request.GET.get("page")),
        "weeks": list(found.snapshots.order_by("-week")[:WEEKS_SHOWN]),
        "may_label": access.may("heard.label"),
        "tags_text": ", ".join(found.tags or []),
        "window_days": scoring.WINDOW.days,
        **extra,
    }


def _write(
    request: HttpRequest, slug: str, ambassador_id: int, change: Callable[[Access, Ambassador], Any], done: str = ""
) -> HttpResponse:
    """Check the role and the person, make the change, and go back: to the list a row's button
    came from, or to the person's page. A refused change shows the page again with why."""
    access = _access(request, slug, "heard.label")
    found = _ambassador(access, ambassador_id)
    try:
        change(access, found)
    except ActionError as exc:
        context = _person_context(request, access, found, errors={exc.field or "form": exc.message})
        return render(request, "engagement/ambassadors/person.html", context, status=exc.status)
    if done:
        messages.success(request, done)
    back = request.POST.get("back", "")
    listed = reverse("ambassadors", args=[slug])
    if back == listed or back.startswith(listed + "?"):
        # Back to this workspace's list only, with only the list's own parameters.
        params = QueryDict(back.partition("?")[2])
        kept = {k: params[k][:100] for k in (*listing.FIELDS, "page") if params.get(k)}
        return redirect(listed + ("?" + urlencode(kept) if kept else ""))
    return redirect(reverse("ambassador", args=[slug, found.pk]))


@login_required
@require_POST
def confirm(request: HttpRequest, slug: str, ambassador_id: int) -> HttpResponse:
    return _write(
        request,
        slug,
        ambassador_id,
        lambda access, a: actions.confirm(ambassador=a, actor=access.user),
        "Confirmed: they are tracked from now on, with a snapshot each week.",
    )


@login_required
@require_POST
def dismiss(request: HttpRequest, slug: str, ambassador_id: int) -> HttpResponse:
    return _write(
        request,
        slug,
        ambassador_id,
        lambda access, a: actions.dismiss(ambassador=a, actor=access.user),
        "Dismissed: they will not be suggested again.",
    )


@login_required
@require_POST
def tags(request: HttpRequest, slug: str, ambassador_id: int) -> HttpResponse:
    text = request.POST.get("tags", "")[:2000]
    return _write(
        request, slug, ambassador_id, lambda access, a: actions.set_tags(ambassador=a, actor=access.user, tags=actions.split_tags(text))
    )


@login_required
@require_POST
def audience(request: HttpRequest, slug: str, ambassador_id: int) -> HttpResponse:
    chosen = request.POST.get("audience", "")[:100]
    return _write(request, slug, ambassador_id, lambda access, a: actions.set_audience(ambassador=a, actor=access.user, audience_id=chosen))
