from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from strata.publishing.actions import MAX_HANDLE, MAX_PARTS, MAX_SERVICE, MAX_TEXT, MAX_TITLE
from strata.safeurl import MAX_LENGTH as MAX_LINK

# The same limits as the actions (which every other path goes through), stated here as well so
# that the API's schema tells clients what it accepts.
Id = Annotated[str, Field(max_length=64)]
Part = Annotated[str, Field(max_length=MAX_TEXT)]


class VariantIn(Schema):
    channel: Id
    text: Part
    link: Annotated[str, Field(max_length=MAX_LINK, description="http:// or https:// only")] = ""
    thread: Annotated[list[Part], Field(max_length=MAX_PARTS - 1)] = []


class PostIn(Schema):
    variants: Annotated[list[VariantIn], Field(max_length=100)]
    title: Annotated[str, Field(max_length=MAX_TITLE)] = ""
    objective: Id = ""
    pillar: Id = ""
    kind: Annotated[str, Field(max_length=20)] = ""


class VariantOut(Schema):
    channel: str
    platform: str
    text: str
    link: str
    thread: list[str]
    state: str
    uri: str | None
    url: str | None
    error: str | None
    reply_to: str | None = Field(default=None, description="a reply's: the platform's id of the post it answers")
    direct: bool = Field(default=False, description="a reply sent as a direct message rather than in public")


class PostOut(Schema):
    id: int
    title: str
    state: str
    objective: str | None
    pillar: str | None
    kind: str
    scheduled_at: dt.datetime | None
    deleted_at: dt.datetime | None = Field(default=None, description="when the post was deleted; a deleted post is kept with its history")
    is_reply: bool = Field(
        default=False, description="an answer written in the inbox, not a post of the plan (no objective, mix or cadence)"
    )
    variants: list[VariantOut]


class ScheduledOut(PostOut):
    warnings: list[str] = Field(
        default_factory=list, description="what may keep the post from going out: each channel it is due on that is not connected"
    )


class ScheduleIn(Schema):
    at: dt.datetime
    accept_mix_warning: bool = False


class OutcomeIn(Schema):
    went_out: bool


class ConnectIn(Schema):
    service: Annotated[str, Field(max_length=MAX_SERVICE, description="https:// (smtp:// or smtps:// for a newsletter)")]
    handle: Annotated[str, Field(max_length=MAX_HANDLE)]
    secret: Annotated[str, Field(max_length=10_000)] = ""
