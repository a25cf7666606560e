"""The short link redirect (public) and the links page with its CSV and setting (members).
Thin: the counting is in clicks.py, the writes in actions.py, the figures in report.py."""

from __future__ import annotations

import regex
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.timezone import now
from django.views.decorators.http import require_GET, require_POST, require_safe

from strata.accounts.clientaddr import client_address
from strata.accounts.scoping import Access, workspace_access
from strata.analytics.links import actions, clicks, csvexport, domain, report
from strata.analytics.links.bots import is_bot
from strata.analytics.links.codes import well_formed
from strata.analytics.links.settings_page import KEY, shortening_state
from strata.publishing.models import Post
from strata.strategy.settings_parts import link_settings, settings_url


@require_safe
def follow(request: HttpRequest, code: str) -> HttpResponse:
    """/l/<code>: count the click and send the visitor on. No session, no cookie, nothing read
    but the code, the client's address (hashed, never kept) and its user agent.

    `no-store`: a browser or proxy that kept the redirect would send the next click straight to
    the target, uncounted; the answer is small, so asking again costs little. `noindex`: a
    short link is not a page for search engines."""
    found = clicks.find(code) if well_formed(code) else None
    if found is None or not found.target.startswith(("https://", "http://")):
        raise Http404("no such link")
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    bot = request.method == "HEAD" or is_bot(user_agent)  # HEAD: a program checking the link, not a person
    clicks.record(found.id, address=client_address(request), user_agent=user_agent, bot=bot, at=now())
    # Not HttpResponseRedirect: it parses the target again, which was checked when the link was made.
    return HttpResponse(status=302, headers={"Location": found.target, "Cache-Control": "no-store", "X-Robots-Tag": "noindex"})


# As the plan writes ids (strategy/plan/schema.py): anything else names no objective.
PLAN_ID = regex.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _access(request: HttpRequest, slug: str, permission: str = "post.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _selection(access: Access, request: HttpRequest) -> report.Selection:
    """The GET filters, checked: an objective id as the plan writes them, a post of this workspace."""
    objective = request.GET.get("objective", "").strip()
    if not PLAN_ID.fullmatch(objective):
        objective = ""
    post = request.GET.get("post", "").strip()
    post_id = int(post) if post.isascii() and post.isdigit() and len(post) < 19 else None
    if post_id is not None and not Post.objects.filter(workspace=access.workspace, pk=post_id).exists():
        post_id = None
    return report.Selection(access.workspace, objective=objective, post_id=post_id)


def _query(selection: report.Selection) -> str:
    values = {"objective": selection.objective, "post": selection.post_id or ""}
    return urlencode({k: v for k, v in values.items() if v})


@login_required
@require_GET
def links_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    selection = _selection(access, request)
    days = report.per_day(selection)
    query = _query(selection)
    context = {
        "access": access,
        "slug": slug,
        "selection": selection,
        "days": days,
        "total": report.total(days),
        "window": report.DAYS,
        "objectives": report.per_objective(selection),
        "links": report.per_link(selection),
        "max_links": report.MAX_LINKS,
        "objective_ids": report.objective_ids(access.workspace),
        "base": domain.base(),
        "state": link_settings(shortening_state(access.workspace), access),
        "csv_url": reverse("links-csv", args=[slug]) + ("?" + query if query else ""),
    }
    return render(request, "analytics/links/links.html", context)


@login_required
@require_GET
def links_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The page's selection, one line per link and day; written whole, so that a failure is an
    error and not half a file."""
    access = _access(request, slug)
    selection = _selection(access, request)
    text = "".join(csvexport.rows(selection))
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = "-".join(filter(None, [slug, "links", selection.objective, str(selection.post_id or ""), selection.today.isoformat()]))
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@require_POST
def settings_save(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug, "workspace.manage")
    shorten = bool(request.POST.get("shorten"))
    actions.set_shortening(workspace=access.workspace, actor=access.user, shorten=shorten)
    messages.success(
        request, "Links in posts go out as short links from now on." if shorten else "Links in posts go out as written from now on."
    )
    return redirect(settings_url(slug, KEY))
