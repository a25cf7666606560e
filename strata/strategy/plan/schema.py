"""The plan document: the shape of a plan file, of the API's plan, and of every stored revision.

Everything optional here is optional on purpose: a plan with gaps must still load so that the
strategy review can point at the gaps. What makes a file unreadable as a plan (wrong types,
unknown keys, two purposes on a channel) is refused here instead.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import itertools
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

from strata.strategy.plan import query as listening_query

FORMAT_VERSION: Literal[1] = 1

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"),
    Field(description="lower-case letters, digits, '-' and '_', up to 64 characters"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

Driver = Literal["brand", "product"]
ObjectiveKind = Literal["awareness", "engagement", "support_deflection", "traffic", "leads", "custom"]
AudienceRole = Literal["ambassador", "customer", "prospect", "partner", "employee", "other"]
Purpose = Literal[
    "branding",
    "promoting_products",
    "educating",
    "driving_traffic",
    "customer_service",
    "communicating_with_clients",
]
Platform = Literal[
    "bluesky",
    "mastodon",
    "x",
    "linkedin",
    "facebook",
    "instagram",
    "threads",
    "tiktok",
    "youtube",
    "pinterest",
    "reddit",
    "rss",
    "newsletter",
    "webhook",
    "blog",
    "other",
]
PillarKind = Literal["social", "promotional"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Sentiment = Literal["negative", "neutral", "positive"]
Intent = Literal["question", "complaint", "praise", "purchase_intent", "spam"]
RuleAction = Literal["reply", "take_offline", "thank_and_ask", "escalate", "ignore"]
ReportKind = Literal["monthly", "six_month"]
BudgetPeriod = Literal["month", "quarter", "year"]
QueryText = Annotated[
    str,
    # Not stripped: an error's position is a character of the text as written.
    StringConstraints(min_length=1, max_length=listening_query.MAX_LENGTH),
    AfterValidator(listening_query.check_query),
    Field(description='a listening query: words, "phrases", OR, AND, NOT, -word, (…), NEAR/n, #hashtags, @handles, bike*'),
]
LanguageCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}$"),
    Field(description="an ISO 639 language code: en, de, fr"),
]
Duration = Annotated[
    str,
    StringConstraints(pattern=r"^[1-9][0-9]{0,4}(m|h|d)$"),
    Field(description="a number and a unit: 30m, 4h or 2d"),
]

HoursText = Annotated[
    str,
    StringConstraints(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)(, ?([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00))*$"
    ),
    AfterValidator(lambda value: _hours_in_order(value)),
    Field(description="opening hours: 09:00-17:00, or several ranges: 09:00-12:00,13:00-17:00"),
]


def _hours_in_order(value: str) -> str:
    """Each range opens before it closes, and ranges do not overlap: the form alone lets through
    17:00-09:00, which would be open never."""
    spans = []
    for part in value.replace(" ", "").split(","):
        opens, closes = (int(t[:2]) * 60 + int(t[3:]) for t in part.split("-"))
        if closes <= opens:
            raise ValueError(f"'{part}' closes before it opens: split a range past midnight at 24:00 (22:00-24:00,00:00-02:00)")
        spans.append((opens, closes, part))
    spans.sort()
    for (_, closes, first), (opens, _, second) in itertools.pairwise(spans):
        if opens < closes:
            raise ValueError(f"'{first}' and '{second}' overlap: write them as one range")
    return value


def _not_yes_or_no(value: Any) -> Any:
    # YAML reads `no`, `off` and `false` as false, and pydantic would take false for 0: a mix of
    # "promotional: no" must not quietly become 0 %.
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()} (a yes/no value)")
    return value


def _a_calendar_date(value: Any) -> Any:
    # pydantic reads a number as seconds since 1970: "deadline: 2027" would become 1970-01-01.
    if isinstance(value, (int, float)):
        raise ValueError(f"expected a date like 2027-06-30, got {value!r}")
    return value


Number = Annotated[float, BeforeValidator(_not_yes_or_no)]
CalendarDate = Annotated[dt.date, BeforeValidator(_a_calendar_date)]
Count = Annotated[int, BeforeValidator(_not_yes_or_no)]

PLATFORMS: tuple[str, ...] = Platform.__args__  # type: ignore[attr-defined]
PURPOSES: tuple[str, ...] = Purpose.__args__  # type: ignore[attr-defined]
WEEKDAYS: tuple[str, ...] = Weekday.__args__  # type: ignore[attr-defined]


@functools.cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class Strict(BaseModel):
    """Unknown keys are an error, so that a typo never silently drops a part of the plan."""

    # No infinities or NaN (".inf", "1e400"): JSON cannot store them, and no budget or KPI is one.
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=False, allow_inf_nan=False)


class WorkspaceInfo(Strict):
    name: ShortText
    timezone: ShortText = "UTC"

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        if value not in _timezones():
            guess = difflib.get_close_matches(value, sorted(_timezones()), n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else " (an IANA name like Europe/Berlin)"
            raise ValueError(f"'{value}' is not a time zone{hint}")
        return value


class Person(Strict):
    id: Id
    name: ShortText
    email: ShortText | None = None


class Budget(Strict):
    amount: Annotated[Number, Field(ge=0)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    per: BudgetPeriod = "month"


class Stakeholder(Strict):
    id: Id
    name: ShortText
    role: Text | None = None


class Governance(Strict):
    driver: Driver | None = None
    ringleader: Id | None = None
    budget: Budget | None = None
    stakeholders: list[Stakeholder] = []


class Goal(Strict):
    id: Id
    statement: Text


class Kpi(Strict):
    metric: ShortText
    baseline: Number | None = None
    target: Number | None = None
    deadline: CalendarDate | None = None


class Objective(Strict):
    id: Id
    kind: ObjectiveKind
    statement: Text
    aligns_with: Id | None = None
    owner: Id | None = None
    kpi: Kpi | None = None


class Strategy(Strict):
    id: Id
    statement: Text
    serves: list[Id] = []


class Audience(Strict):
    id: Id
    description: Text
    role: AudienceRole = "other"
    desired_action: ShortText | None = None
    motivation: Text | None = None
    presence: dict[Platform, Annotated[Count, Field(ge=0)]] = {}


class Responsibility(Strict):
    person: Id
    days: list[Weekday] = []
    hours: HoursText | None = None  # on those days; none: the whole day


class Channel(Strict):
    id: Id
    platform: Platform
    handle: ShortText
    # One primary purpose, never a list: a second purpose means a second profile.
    purpose: Purpose | None = None
    audiences: list[Id] = []
    effort_hours_per_week: Annotated[Number, Field(ge=0, le=168)] | None = None
    cadence_per_week: Annotated[Number, Field(ge=0, le=1000)] | None = None
    responsible: list[Responsibility] = []


class Mix(Strict):
    social: Annotated[Number, Field(ge=0, le=1)] = 0.8
    promotional: Annotated[Number, Field(ge=0, le=1)] = 0.2


class Pillar(Strict):
    id: Id
    name: ShortText
    kind: PillarKind
    serves: list[Id] = []


class Content(Strict):
    mix: Mix = Mix()
    pillars: list[Pillar] = []


class When(Strict):
    sentiment: Sentiment | None = None
    intent: Intent | None = None
    channel: Id | None = None
    topic: Id | None = None  # a listening query's topic: brand, competitor, industry or the plan's own
    keywords: list[ShortText] = []


class Rule(Strict):
    id: Id
    when: When = When()
    action: RuleAction
    within: Duration | None = None  # the first answer's target, in business time
    next_within: Duration | None = None  # each later answer's target, once they write again
    assign_to: Id | None = None
    escalate_to: Id | None = None
    template: Text | None = None


class Support(Strict):
    """How the inbox keeps time and where conversations go offline (docs/plan-format.md)."""

    email: ShortText | None = None  # offered when a conversation is taken offline
    hours: dict[Weekday, HoursText] | None = None  # none: targets count around the clock
    holidays: list[CalendarDate] = []
    default_within: Duration = "1d"  # for what no rule covers
    warn_before: Duration = "30m"
    escalate_to: Id | None = None  # told when an answer is late and the rule names nobody

    @field_validator("hours")
    @classmethod
    def some_day_open(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        # No day open would make every answer due never: say so rather than stop every clock.
        if value is not None and not value:
            raise ValueError("name the days the inbox is answered, like mon: 09:00-17:00, or leave hours out to count around the clock")
        return value


class ListeningQuery(Strict):
    """What to listen for beyond the brand's own account (docs/plan-format.md, listening)."""

    id: Id
    topic: Annotated[Id, Field(description="brand, competitor, industry, or a topic of the plan's own")]
    query: QueryText
    language: LanguageCode | None = None
    audience: Id | None = None


class Report(Strict):
    kind: ReportKind
    to: list[Id] = []


class Measurement(Strict):
    reports: list[Report] = []


class PlanDocument(Strict):
    """One workspace's whole plan, as written in a plan file (see docs/plan-format.md)."""

    strata: Literal[1] = FORMAT_VERSION
    workspace: WorkspaceInfo
    people: list[Person] = []
    governance: Governance = Governance()
    goals: list[Goal] = []
    objectives: list[Objective] = []
    strategies: list[Strategy] = []
    audiences: list[Audience] = []
    channels: list[Channel] = []
    content: Content = Content()
    response_plan: list[Rule] = []
    support: Support = Support()
    listening: list[ListeningQuery] = []
    measurement: Measurement = Measurement()


def duration_minutes(value: str) -> int:
    """Turn '30m', '4h' or '2d' (already validated by `Duration`) into minutes."""
    number, unit = int(value[:-1]), value[-1]
    return number * {"m": 1, "h": 60, "d": 1440}[unit]


def schema_choices() -> dict[str, tuple[str, ...]]:
    """The closed vocabularies of the plan, for forms and documentation."""
    return {
        "driver": Driver.__args__,  # type: ignore[attr-defined]
        "budget_per": BudgetPeriod.__args__,  # type: ignore[attr-defined]
        "sentiment": Sentiment.__args__,  # type: ignore[attr-defined]
        "intent": Intent.__args__,  # type: ignore[attr-defined]
        "platform": PLATFORMS,
        "purpose": PURPOSES,
    }
