"""The posts list: every post of a workspace, searched, filtered and sorted, with bulk actions on
the rows a person selects; and deleting and duplicating one post from its page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.publishing import actions, listing
from strata.publishing.models import Post
from strata.publishing.planlink import PlanLink

PER_PAGE = 25
MAX_SELECTED = 200  # rows one bulk action handles; more than a page holds several times over


@dataclass(frozen=True)
class Bulk:
    """A bulk action: the permission it needs, and how its outcome reads."""

    permission: str
    button: str
    done: str
    refused: str


BULK = {
    "approve": Bulk("post.approve", "Approve", "approved", "could not be approved"),
    "schedule": Bulk("post.schedule", "Schedule at their times", "scheduled", "could not be scheduled"),
    "unschedule": Bulk("post.schedule", "Take off the calendar", "taken off the calendar", "could not be taken off the calendar"),
    "duplicate": Bulk("post.write", "Duplicate", "duplicated as a new draft", "could not be duplicated"),
    "delete": Bulk("post.write", "Delete", "deleted", "could not be deleted"),
}


def _access(request: HttpRequest, slug: str, permission: str = "post.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _post(access: Access, post_id: int) -> Post:
    post = Post.objects.filter(workspace=access.workspace, pk=post_id).first()
    if post is None:
        raise Http404("no such post")
    return post


def _list_url(slug: str, query: str) -> str:
    """The list's address with only the list's own parameters from `query` (a query string
    from the form, never an address): after a bulk action, the same filters and page."""
    given = QueryDict(query[:2000])
    kept = {k: given.get(k, "")[:200] for k in (*listing.FILTERS, "page") if given.get(k)}
    base = reverse("posts-list", args=[slug])
    return f"{base}?{_encode(kept)}" if kept else base


def _encode(values: dict[str, str]) -> str:
    query = QueryDict(mutable=True)
    query.update(values)
    return query.urlencode()


@login_required
@require_GET
def posts_list(request: HttpRequest, slug: str) -> HttpResponse:
    """1. Read the filters (a value that names nothing is dropped and said so). 2. List the
    posts that are not deleted, in the order chosen, a page at a time. An htmx request gets the
    results only; the address follows, so that the back button and a shared link show the same."""
    access = _access(request, slug)
    link = PlanLink.of(access.workspace)
    selection = listing.read(access.workspace, request.GET, link)
    found = listing.posts(access.workspace, selection).prefetch_related("variants")
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    may = {name: access.may(b.permission) for name, b in BULK.items()}
    context: dict[str, Any] = {
        "access": access,
        "slug": slug,
        "s": selection,
        "page": page,
        "posts": list(page.object_list),
        "page_url": request.path,
        "query": selection.query_string(),
        "back": selection.query_string(page=str(page.number)),
        "states": Post.State.choices,
        "channels": [(c.id, c.platform) for c in link.plan.channels],
        "objectives": sorted(link.objectives),
        "pillars": [(p.id, p.name) for p in link.plan.content.pillars],
        "pillar_names": {p.id: p.name for p in link.plan.content.pillars},
        "sorts": _sort_links(selection),
        "sort_choices": list(listing.SORT_NAMES.items()),
        "sort_name": listing.SORT_NAMES[selection.sort],
        "oob": bool(request.headers.get("HX-Request")),  # the order's field, outside the results, follows them
        "bulk": [(name, b.button) for name, b in BULK.items() if may[name]],
        "may_write": access.may("post.write"),
    }
    template = "publishing/_posts_results.html" if request.headers.get("HX-Request") else "publishing/posts_list.html"
    return render(request, template, context)


def _sort_links(selection: listing.Selection) -> dict[str, dict[str, str]]:
    """For each sortable column: the order a click on its heading gives, and its aria-sort."""
    links = {}
    for column in ("scheduled", "updated", "title"):
        current = selection.sort in (column, f"-{column}")
        descending = selection.sort == f"-{column}"
        following = column if current and descending else f"-{column}" if current else column
        links[column] = {
            "query": selection.query_string(sort=following),
            "aria": ("descending" if descending else "ascending") if current else "none",
        }
    return links


@login_required
@require_POST
def posts_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    """One action on the selected posts, each through its own action and transaction, each
    post's outcome told. Deleting asks first, on a page of its own (no script needed)."""
    name = request.POST.get("action", "")
    bulk = BULK.get(name)
    if bulk is None:
        raise Http404("no such action")
    access = _access(request, slug, bulk.permission)
    back = _list_url(slug, request.POST.get("back", ""))
    ids = [int(i) for i in request.POST.getlist("post")[:MAX_SELECTED] if i.isascii() and i.isdigit() and len(i) < 12]
    # Only what the list shows can be selected: a reply's id sent by hand selects nothing.
    listed = Post.objects.filter(workspace=access.workspace, deleted_at=None, is_reply=False, pk__in=ids)
    by_id = {p.pk: p for p in listed.prefetch_related("variants")}
    chosen = [by_id[i] for i in dict.fromkeys(ids) if i in by_id]
    if not chosen:
        messages.error(request, "Select at least one post first.")
        return redirect(back)
    if name == "delete" and not request.POST.get("confirm"):
        return _confirm_delete(request, access, chosen, back=request.POST.get("back", ""))
    operations: dict[str, Callable[[Post], object]] = {
        "approve": lambda p: actions.approve(post=p, actor=access.user),
        "schedule": lambda p: actions.schedule_at_chosen_time(post=p, actor=access.user),
        "unschedule": lambda p: actions.unschedule(post=p, actor=access.user),
        "duplicate": lambda p: actions.duplicate_post(post=p, actor=access.user),
        "delete": lambda p: actions.delete_post(post=p, actor=access.user),
    }
    result = actions.bulk(posts=chosen, operation=operations[name], done=bulk.done, refused=bulk.refused)
    level = messages.SUCCESS if not result.failures else messages.WARNING if result.succeeded else messages.ERROR
    messages.add_message(request, level, result.summary)
    if name == "schedule":  # as on every path that schedules: the channels it would fail on
        scheduled = [p for p in chosen if p.label in result.succeeded]
        for warning in dict.fromkeys(w for p in scheduled for w in actions.schedule_warnings(p)):
            messages.warning(request, warning)
    return redirect(back)


def _confirm_delete(request: HttpRequest, access: Access, posts: list[Post], *, back: str) -> HttpResponse:
    context = {
        "access": access,
        "posts": posts,
        "action": reverse("posts-bulk", args=[access.workspace.slug]),
        "bulk": True,
        "back": back,
        "cancel": _list_url(access.workspace.slug, back),
    }
    return render(request, "publishing/post_delete.html", context)


@login_required
def post_delete(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """GET: what deleting the post means, and a button to do it. POST: delete it (kept, with its
    history, but off the calendar, the list and the mix)."""
    access = _access(request, slug, "post.write")
    post = _post(access, post_id)
    if request.method == "POST":
        try:
            actions.delete_post(post=post, actor=access.user)
        except ActionError as exc:
            messages.error(request, f"'{post.label}' could not be deleted: {exc.message}")
            return redirect("post-detail", slug=slug, post_id=post.pk)
        messages.success(request, f"'{post.label}' deleted. Its history is kept on its page.")
        return redirect("posts-list", slug=slug)
    context = {
        "access": access,
        "posts": [post],
        "action": reverse("post-delete", args=[slug, post.pk]),
        "bulk": False,
        "cancel": reverse("post-detail", args=[slug, post.pk]),
    }
    return render(request, "publishing/post_delete.html", context)


@login_required
@require_POST
def post_duplicate(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """A new draft with the same variants, objective and pillar, no time; its page opens."""
    access = _access(request, slug, "post.write")
    copy = actions.duplicate_post(post=_post(access, post_id), actor=access.user)
    messages.success(request, f"Duplicated as a new draft, '{copy.title}'. Edit it, then send it for review.")
    return redirect("post-detail", slug=slug, post_id=copy.pk)
