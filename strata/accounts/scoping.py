"""The one way into a workspace: every view and endpoint starts here.

An outsider gets a 404, not a 403, so that the existence of another team's workspace is not
leaked; a member without the permission gets a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from strata.accounts.models import Membership, User, Workspace


class Forbidden(Exception):
    def __init__(self, permission: str, role: str) -> None:
        super().__init__(f"your role ({role}) may not do this ({permission})")
        self.permission = permission
        self.role = role


@dataclass(frozen=True)
class Access:
    workspace: Workspace
    membership: Membership
    user: User

    def may(self, permission: str) -> bool:
        return self.membership.may(permission)

    def require(self, permission: str) -> None:
        if not self.may(permission):
            raise Forbidden(permission, self.membership.role)


def workspace_access(user: User, slug: str, permission: str = "plan.view") -> Access:
    """The asker's access to workspace `slug`, checked for `permission`.

    Raises Http404 when the user is not a member (or the workspace does not exist) and
    Forbidden when the user's role does not hold the permission."""
    if not user.is_authenticated:
        raise Http404("no such workspace")
    membership = Membership.objects.select_related("workspace").filter(user=user, workspace__slug=slug).first()
    if membership is None:
        raise Http404("no such workspace")
    access = Access(workspace=membership.workspace, membership=membership, user=user)
    access.require(permission)
    return access
