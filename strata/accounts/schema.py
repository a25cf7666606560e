from __future__ import annotations

from ninja import Schema


class WorkspaceOut(Schema):
    slug: str
    name: str
    timezone: str
    role: str


class WorkspaceIn(Schema):
    name: str
    slug: str = ""
    timezone: str = "UTC"


class MemberOut(Schema):
    id: int
    email: str
    name: str
    role: str


class InviteIn(Schema):
    email: str
    role: str


class InviteOut(Schema):
    status: str  # "member" (added at once) or "invited" (an e-mail is on its way)
    email: str
    role: str


class RoleIn(Schema):
    role: str
