"""Template context shared by every page: the signed-in user's workspaces and the current one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from strata.accounts.models import Membership
from strata.strategy.elements import KINDS


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name"))
    slug = request.resolver_match.kwargs.get("slug") if request.resolver_match else None
    current = next((m for m in memberships if m.workspace.slug == slug), None)
    return {
        "nav_memberships": memberships,
        "nav_current": current,
        "nav_kinds": list(KINDS.values()),
        "nav_may_edit": current.may("plan.edit") if current else False,
        "nav_may_manage": current.may("members.manage") if current else False,
    }
