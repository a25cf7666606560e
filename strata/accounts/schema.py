from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from strata.accounts.actions import MAX_EMAIL, MAX_NAME

# The actions refuse longer values for every path; stated here too, for the API's schema.
Short = Annotated[str, Field(max_length=64)]


class WorkspaceOut(Schema):
    slug: str
    name: str
    timezone: str
    role: str


class WorkspaceIn(Schema):
    name: Annotated[str, Field(max_length=MAX_NAME)]
    slug: Short = ""
    timezone: Short = "UTC"


class MemberOut(Schema):
    id: int
    email: str
    name: str
    role: str


class InviteIn(Schema):
    email: Annotated[str, Field(max_length=MAX_EMAIL)]
    role: Short


class InviteOut(Schema):
    status: str  # always "invited": an e-mail is on its way, and they join when they accept
    email: str
    role: str


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    sent_at: datetime  # UTC; the link is valid for 14 days from then
    expired: bool


class RoleIn(Schema):
    role: Short
