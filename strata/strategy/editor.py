"""Web forms for plan elements, described once per kind and validated by the plan schema itself,
so that a form and a plan file can never disagree about what is valid."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from strata.strategy.elements import ElementKind
from strata.strategy.plan import schema
from strata.strategy.plan.errors import PlanError
from strata.strategy.plan.schema import PlanDocument


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # id text textarea select ref refs number date kpi presence responsible when
    help: str = ""
    choices: tuple[str, ...] = ()
    ref: str = ""  # for ref/refs: the element kind it points at
    required: bool = False
    subfields: tuple[str, ...] = field(default=())


def _choices(literal: Any) -> tuple[str, ...]:
    return tuple(literal.__args__)


ID_HELP = "Lower-case letters, digits, '-' and '_'. Used in references, the plan file and the API."

FIELDS: dict[str, list[Field]] = {
    "people": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field("name", "Name", "text", required=True),
        Field("email", "E-mail", "text"),
    ],
    "stakeholders": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field("name", "Name", "text", "A team or group: Sales, Services, HR, senior leaders, employees…", required=True),
        Field("role", "Role in social media", "textarea", "What they bring to social media, or take from it."),
    ],
    "goals": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field("statement", "Goal", "textarea", "A corporate or department goal social media must serve.", required=True),
    ],
    "objectives": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field("kind", "Kind", "select", choices=_choices(schema.ObjectiveKind), required=True),
        Field("statement", "Objective", "textarea", "What will be true when it is met.", required=True),
        Field("aligns_with", "Aligned with goal", "ref", ref="goals"),
        Field("owner", "Owner", "ref", ref="people"),
        Field(
            "kpi",
            "KPI",
            "kpi",
            "The metric, where it stands now, where it must get to, and by when.",
            subfields=("metric", "baseline", "target", "deadline"),
        ),
    ],
    "strategies": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field(
            "statement",
            "Strategy",
            "textarea",
            "A plan of action: 'Build a permission asset so that we grow our influence…'",
            required=True,
        ),
        Field("serves", "Serves objectives", "refs", ref="objectives"),
    ],
    "audiences": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field("description", "Who they are", "textarea", required=True),
        Field("role", "Role", "select", choices=_choices(schema.AudienceRole)),
        Field("desired_action", "What they should do", "text", "Share, promote, like, buy, ask…"),
        Field("motivation", "What is in it for them", "textarea"),
        Field("presence", "Where they are", "presence", "Estimated people reachable on each platform; leave empty where they are not."),
    ],
    "channels": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field("platform", "Platform", "select", choices=schema.PLATFORMS, required=True),
        Field("handle", "Handle", "text", "The profile, e.g. acme.bsky.social", required=True),
        Field("purpose", "Primary purpose", "select", "Exactly one. A second purpose means a second profile.", choices=schema.PURPOSES),
        Field("audiences", "Audiences it reaches", "refs", ref="audiences"),
        Field("effort_hours_per_week", "Effort (hours a week)", "number"),
        Field("cadence_per_week", "Cadence (posts a week)", "number"),
        Field("responsible", "Who is responsible on which days", "responsible", "The conversation calendar."),
    ],
    "pillars": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field("name", "Theme", "text", required=True),
        Field(
            "kind",
            "Kind",
            "select",
            "Social content builds the relationship; promotional content sells.",
            choices=_choices(schema.PillarKind),
            required=True,
        ),
        Field("serves", "Serves strategies", "refs", ref="strategies"),
    ],
    "rules": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field(
            "when",
            "When a message…",
            "when",
            "Leave a condition empty to match any value.",
            subfields=("sentiment", "intent", "channel", "keywords"),
        ),
        Field("action", "Do this", "select", choices=_choices(schema.RuleAction), required=True),
        Field("within", "Within (SLA)", "text", "30m, 4h or 1d"),
        Field("assign_to", "Assign to", "ref", ref="people"),
        Field("template", "Reply template (playbook)", "textarea"),
    ],
    "queries": [
        Field("id", "Id", "id", ID_HELP, required=True),
        Field("topic", "Topic", "text", "brand, competitor, industry, or a topic of your own (an id).", required=True),
        Field(
            "query",
            "Query",
            "textarea",
            'Words, "phrases", OR, AND, NOT or -word, (…), NEAR/3, #hashtags, @handles, bike*. Operators in capitals.',
            required=True,
        ),
        Field("language", "Language", "text", "Only posts in this language: a code like en or de. Empty for any."),
        Field("audience", "Audience it finds", "ref", "For audience discovery: who is talking about this.", ref="audiences"),
    ],
}


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def element_from_form(kind: ElementKind, post: QueryDict, plan: PlanDocument) -> dict[str, Any]:
    """Turn a submitted form into the element's document form. Values are passed on as typed
    text; the schema converts and judges them."""
    element: dict[str, Any] = {}
    for f in FIELDS[kind.name]:
        if f.type in ("id", "text", "textarea", "select", "ref", "number", "date"):
            value = _text(post.get(f.name))
            if value is not None:
                element[f.name] = value
        elif f.type == "refs":
            element[f.name] = [v for v in post.getlist(f.name) if v]
        elif f.type == "kpi":
            kpi = {sub: _text(post.get(f"kpi.{sub}")) for sub in f.subfields}
            if any(kpi.values()):
                element["kpi"] = {k: v for k, v in kpi.items() if v is not None}
        elif f.type == "presence":
            element["presence"] = {p: v for p in schema.PLATFORMS if (v := _text(post.get(f"presence.{p}"))) is not None}
        elif f.type == "responsible":
            duties = []
            for person in plan.people:
                duty: dict[str, Any] = {
                    "person": person.id,
                    "days": [d for d in schema.WEEKDAYS if post.get(f"responsible.{person.id}.{d}")],
                }
                # Hours kept as written (the conversation calendar's); empty is the whole day.
                if hours := (post.get(f"responsible.{person.id}.hours") or "").strip():
                    duty["hours"] = hours
                duties.append(duty)
            element["responsible"] = [duty for duty in duties if duty["days"]]
        elif f.type == "when":
            keywords = [k.strip() for k in (post.get("when.keywords") or "").split(",") if k.strip()]
            when = {sub: _text(post.get(f"when.{sub}")) for sub in ("sentiment", "intent", "channel")}
            element["when"] = {**{k: v for k, v in when.items() if v}, "keywords": keywords}
    return element


_INDEX = re.compile(r"\[[^\]]*\]")
_MISSING = re.compile(r"missing required key '([a-z_]+)'")


def shown_names(kind_name: str) -> set[str]:
    """The names the form shows errors beside: every field, and each part of a KPI."""
    names = {f.name for f in FIELDS[kind_name]}
    return names | {f"{f.name}.{sub}" for f in FIELDS[kind_name] if f.type == "kpi" for sub in f.subfields}


def split_errors(
    kind: ElementKind, element_id: str | None, position: int, errors: list[PlanError], plan: PlanDocument | None = None
) -> tuple[dict[str, list[str]], list[str]]:
    """Errors about this element by form field name ("kpi.target", "serves"); the rest as general
    errors, their paths in the forms' words. An error inside a field shown as one group
    ("presence.bluesky", "responsible.person") goes beside the group, naming the part."""
    from strata.strategy.wording import in_form_words, path_label  # wording reads FIELDS from here

    prefix = ".".join(kind.path)
    own = {f"{prefix}[{element_id}]", f"{prefix}[{position}]"}
    shown = shown_names(kind.name)
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for error in errors:
        head, _, rest = error.path.partition("].")
        if f"{head}]" in own and rest:
            name = _INDEX.sub("", rest)
            message = error.message
            top, _, part = name.partition(".")
            if name not in shown and top in shown:
                name, message = top, f"{part.replace('_', ' ')}: {message}" if part else message
            by_field.setdefault(name, []).append(message)
            if top != name:
                by_field.setdefault(top, [])
        elif error.path in own and (missing := _MISSING.match(error.message)):
            by_field.setdefault(missing.group(1), []).append("required")
        elif error.path in own:
            general.append(error.message)
        else:
            message = in_form_words(error.message, plan)
            general.append(f"{path_label(error.path, plan)}: {message}" if error.path else message)
    return by_field, general
