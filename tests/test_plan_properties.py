"""Generated plans: whatever valid plan goes in through a file comes back out the same."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strata.accounts.models import Workspace
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from strata.strategy.plan import schema
from strata.strategy.plan.dump import dump_plan
from strata.strategy.plan.loader import load_plan, validate_plan
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.store import current_plan

pytestmark = pytest.mark.slow

# Text that YAML likes to read as something else is the interesting part.
TRICKY = st.sampled_from(
    [
        "no",
        "yes",
        "on",
        "off",
        "null",
        "~",
        "123",
        "1.5",
        "2027-06-30",
        "- x",
        "a: b",
        "# not a comment",
        "@handle",
        "*star",
        "&amp",
        "!tag",
        "'quoted'",
        '"dq"',
        "émoji 🚲",
        "tab\there",
        "multi\nline",
        "  padded  ",
        "%",
        "{x}",
        "[y]",
        "0o17",
        "1_000",
        "0x1f",
        ".inf",
        "-.5",
        "+1",
        "1e3",
        "2027-06-30T10:00:00",
        "True",
        "Null",
        "NO",
        "=",
        "<<",
        "? q",
        "| pipe",
        "> fold",
        "a #b",
        "x: ",
        "trailing ",
        "\ttab",
        "multi\n\nblank",
        "\\back",
    ]
)
TEXT = st.one_of(TRICKY, st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)).filter(
    lambda s: s.strip()
)
IDS = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)
NUMBER = st.one_of(st.integers(-(10**9), 10**9), st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False))
DATE = st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))


def maybe(strategy: Any) -> Any:
    return st.one_of(st.none(), strategy)


@st.composite
def plans(draw: Any) -> PlanDocument:
    def ids(n_max: int) -> list[str]:
        return draw(st.lists(IDS, max_size=n_max, unique=True))

    people, goals, objectives, strategies = ids(4), ids(3), ids(4), ids(3)
    audiences, channels, pillars, rules = ids(3), ids(4), ids(4), ids(4)

    def ref(pool: list[str]) -> Any:
        return draw(maybe(st.sampled_from(pool))) if pool else None

    def refs(pool: list[str]) -> list[str]:
        return draw(st.lists(st.sampled_from(pool), unique=True, max_size=3)) if pool else []

    def drop_none(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v is not None}

    data = {
        "strata": 1,
        "workspace": {"name": draw(TEXT)[:200], "timezone": draw(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]))},
        "people": [drop_none({"id": p, "name": draw(TEXT), "email": draw(maybe(TEXT))}) for p in people],
        "governance": drop_none(
            {
                "driver": draw(maybe(st.sampled_from(["brand", "product"]))),
                "ringleader": ref(people),
                "budget": draw(
                    maybe(
                        st.fixed_dictionaries(
                            {
                                "amount": st.integers(0, 10**7),
                                "currency": st.sampled_from(["EUR", "USD"]),
                                "per": st.sampled_from(["month", "year"]),
                            }
                        )
                    )
                ),
                "stakeholders": [drop_none({"id": s, "name": draw(TEXT), "role": draw(maybe(TEXT))}) for s in ids(3)],
            }
        ),
        "goals": [{"id": g, "statement": draw(TEXT)} for g in goals],
        "objectives": [
            drop_none(
                {
                    "id": o,
                    "kind": draw(st.sampled_from(["awareness", "leads", "custom"])),
                    "statement": draw(TEXT),
                    "aligns_with": ref(goals),
                    "owner": ref(people),
                    "kpi": draw(
                        maybe(
                            st.builds(
                                lambda m, b, t, d: drop_none({"metric": m, "baseline": b, "target": t, "deadline": d}),
                                TEXT,
                                maybe(NUMBER),
                                maybe(NUMBER),
                                maybe(DATE),
                            )
                        )
                    ),
                }
            )
            for o in objectives
        ],
        "strategies": [{"id": s, "statement": draw(TEXT), "serves": refs(objectives)} for s in strategies],
        "audiences": [
            drop_none(
                {
                    "id": a,
                    "description": draw(TEXT),
                    "role": draw(st.sampled_from(["customer", "ambassador"])),
                    "desired_action": draw(maybe(TEXT)),
                    "motivation": draw(maybe(TEXT)),
                    "presence": draw(st.dictionaries(st.sampled_from(schema.PLATFORMS), st.integers(0, 10**6), max_size=3)),
                }
            )
            for a in audiences
        ],
        "channels": [
            drop_none(
                {
                    "id": c,
                    "platform": draw(st.sampled_from(schema.PLATFORMS)),
                    "handle": draw(TEXT),
                    "purpose": draw(maybe(st.sampled_from(schema.PURPOSES))),
                    "audiences": refs(audiences),
                    "effort_hours_per_week": draw(maybe(st.floats(0, 168, allow_nan=False))),
                    "responsible": [
                        {"person": p, "days": draw(st.lists(st.sampled_from(schema.WEEKDAYS), unique=True))} for p in refs(people)
                    ],
                }
            )
            for c in channels
        ],
        "content": {
            "mix": draw(st.fixed_dictionaries({"social": st.floats(0, 1), "promotional": st.floats(0, 1)})),
            "pillars": [
                {"id": p, "name": draw(TEXT), "kind": draw(st.sampled_from(["social", "promotional"])), "serves": refs(strategies)}
                for p in pillars
            ],
        },
        "response_plan": [
            drop_none(
                {
                    "id": r,
                    "action": draw(st.sampled_from(["reply", "escalate"])),
                    "when": drop_none(
                        {
                            "sentiment": draw(maybe(st.sampled_from(["negative", "positive"]))),
                            "channel": ref(channels),
                            "keywords": draw(st.lists(TEXT, max_size=2)),
                        }
                    ),
                    "within": draw(maybe(st.sampled_from(["30m", "4h", "2d"]))),
                    "assign_to": ref(people),
                    "template": draw(maybe(TEXT)),
                }
            )
            for r in rules
        ],
        "measurement": {
            "reports": [{"kind": k, "to": refs(people)} for k in draw(st.lists(st.sampled_from(["monthly", "six_month"]), unique=True))]
        },
    }
    return validate_plan(data, filename="generated")


@settings(max_examples=150, deadline=None)
@given(plans())
def test_a_written_plan_reads_back_the_same(plan: PlanDocument) -> None:
    text = dump_plan(plan)
    assert load_plan(text.encode(), "exported.yaml") == plan
    assert dump_plan(load_plan(text.encode())) == text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans())
def test_export_of_an_import_is_the_same_plan(db: Any, plan: PlanDocument) -> None:
    workspace = Workspace.objects.filter(slug="prop").first()
    workspace, _ = import_plan(
        data=dump_plan(plan).encode(), filename="p.yaml", workspace=workspace, slug="prop", author=None, source=PlanRevision.Source.IMPORT
    )
    exported = dump_plan(current_plan(workspace).plan)
    assert load_plan(exported.encode()) == plan
