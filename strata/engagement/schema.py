from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class HeardItemOut(Schema):
    id: int
    kind: str
    channel: str
    platform: str
    remote_id: str
    url: str | None
    author_handle: str
    author_name: str
    text: str
    truncated: bool
    created_at: dt.datetime
    parent_id: str | None
    root_id: str | None
    post_id: int | None = Field(description="the brand's post this is about, when it is one of ours")
    context: bool = Field(description="fetched to complete a thread, not itself addressed to the brand")
    sentiment: str | None = Field(description="the person's correction where there is one, else the model's label")
    intents: list[str]
    model_sentiment: str | None
    model_intents: list[str]
    scores: dict[str, float]
    corrected: bool


class LabelsIn(Schema):
    sentiment: str | None = Field(default=None, max_length=20)
    intents: list[str] | None = Field(default=None, max_length=5)


class TrialIn(Schema):
    query: str = Field(max_length=4000)
    text: str = Field(max_length=10_000)
    language: str | None = Field(default=None, max_length=20, description="the query's language: only texts in it can match")
    text_languages: list[str] | None = Field(default=None, max_length=5, description="the languages the platform gives for the text")


class TrialOut(Schema):
    matches: bool
    error: str | None = Field(description="why the query cannot be read, where it cannot")
    line: int | None
    column: int | None
