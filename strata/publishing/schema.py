from __future__ import annotations

import datetime as dt

from ninja import Schema


class VariantIn(Schema):
    channel: str
    text: str
    link: str = ""
    thread: list[str] = []


class PostIn(Schema):
    variants: list[VariantIn]
    title: str = ""
    objective: str = ""
    pillar: str = ""
    kind: str = ""


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


class PostOut(Schema):
    id: int
    title: str
    state: str
    objective: str | None
    pillar: str | None
    kind: str
    scheduled_at: dt.datetime | None
    variants: list[VariantOut]


class ScheduleIn(Schema):
    at: dt.datetime
    accept_mix_warning: bool = False


class OutcomeIn(Schema):
    went_out: bool


class ConnectIn(Schema):
    service: str
    handle: str
    secret: str = ""
