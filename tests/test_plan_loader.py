"""A file that cannot be read as a plan gets every error with file, line and column, in words."""

from __future__ import annotations

import pytest

from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import load_plan
from tests.conftest import DEMO_PLAN

DEMO = DEMO_PLAN.read_text()


def errors_of(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(PlanInvalid) as caught:
        load_plan(data, "plan.yaml")
    return [str(e) for e in caught.value.errors]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_it_reads_the_demo_plan() -> None:
    plan = load_plan(DEMO.encode())
    assert plan.workspace.name == "Acme Bikes"
    assert [c.id for c in plan.channels] == ["acme-bsky", "acme-help", "acme-mastodon", "acme-pinterest"]


def test_it_names_an_unknown_key_and_the_closest_known_one() -> None:
    text = DEMO.replace("    purpose: branding\n", "    purpos: branding\n", 1)
    [error] = errors_of(text)
    assert error == f"plan.yaml:{line_of(text, 'purpos: branding')}:5: channels[acme-bsky]: unknown key 'purpos'; did you mean 'purpose'?"


def test_it_refuses_a_second_primary_purpose() -> None:
    text = DEMO.replace("    purpose: branding\n", "    purpose: [branding, educating]\n", 1)
    [error] = errors_of(text)
    assert f"plan.yaml:{line_of(text, '[branding, educating]')}:14: channels[acme-bsky].purpose:" in error
    assert "exactly one primary purpose" in error
    assert "second profile" in error


def test_it_suggests_the_value_that_was_probably_meant() -> None:
    [error] = errors_of(DEMO.replace("purpose: educating", "purpose: educatin"))
    assert "'educatin' is not one of: branding, promoting_products, educating" in error
    assert "did you mean 'educating'?" in error


def test_it_refuses_wrong_types_with_what_was_expected() -> None:
    text = DEMO.replace("effort_hours_per_week: 4\n", "effort_hours_per_week: four\n", 1)
    [error] = errors_of(text)
    assert error.startswith(
        f"plan.yaml:{line_of(text, 'four')}:28: channels[acme-bsky].effort_hours_per_week: expected a number, got 'four'"
    )


def test_it_refuses_duplicate_ids() -> None:
    text = DEMO.replace("  - id: acme-help\n", "  - id: acme-bsky\n")
    [error] = errors_of(text)
    assert "duplicate channel id 'acme-bsky'" in error
    second = [i for i, line in enumerate(text.splitlines(), 1) if "- id: acme-bsky" in line][1]
    assert error.startswith(f"plan.yaml:{second}:")


def test_it_refuses_references_to_ids_that_do_not_exist() -> None:
    text = DEMO.replace("serves: [deflect-support]", "serves: [deflect-suport]")
    [error] = errors_of(text)
    assert f"plan.yaml:{line_of(text, 'deflect-suport')}:" in error
    assert "no objective with id 'deflect-suport'; did you mean 'deflect-support'?" in error


def test_it_reports_every_error_not_only_the_first() -> None:
    text = DEMO.replace("kind: awareness", "kind: awarenes").replace("role: partner", "role: partnr")
    assert len(errors_of(text)) == 2


def test_it_refuses_text_that_is_not_yaml() -> None:
    [error] = errors_of("strata: 1\nworkspace: {name: [unclosed\n")
    assert error.startswith("plan.yaml:3:1: not valid YAML")


def test_it_refuses_text_that_is_not_utf8_and_points_at_the_byte() -> None:
    [error] = errors_of(b"strata: 1\nworkspace: {name: Caf\xe9}\n")
    assert error == "plan.yaml:2:22: the file is not UTF-8 text (byte 0xe9 here); save it as UTF-8"


def test_it_refuses_a_file_over_five_megabytes() -> None:
    [error] = errors_of(b"#" * (5 * 1024 * 1024 + 1))
    assert "a plan file may be at most 5 MB" in error


def test_it_refuses_a_key_written_twice() -> None:
    [error] = errors_of("strata: 1\nworkspace: {name: A}\ngoals: []\ngoals: []\n")
    assert error == "plan.yaml:4:1: duplicate key 'goals': each key may appear once here"


def test_it_refuses_aliases_that_could_blow_up() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    [error] = errors_of(bomb)
    assert "aliases (*name) are not supported" in error


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "a plan is a mapping of sections"),
        ("strata: 1\n", "missing required key 'workspace'"),
        ("strata: 2\nworkspace: {name: A}\n", "2 is not one of: 1"),
        ("strata: 1\nworkspace: {name: A, timezone: Europe/Berln}\n", "'Europe/Berln' is not a time zone; did you mean 'Europe/Berlin'?"),
        ("strata: 1\nworkspace: {name: A}\ngoals: [{id: Grow EU, statement: s}]\n", "'Grow EU' is not a valid id"),
        ("strata: 1\nworkspace: {name: A}\nresponse_plan: [{id: r, action: reply, within: soon}]\n", "'soon' is not a duration"),
        ("strata: 1\nworkspace: {name: A}\ngoals: {id: g}\n", "expected a list, got a mapping"),
        # A yes/no value is not a share, and a bare year is not a date (it would be read as
        # seconds since 1970).
        ("strata: 1\nworkspace: {name: A}\ncontent: {mix: {social: 0.8, promotional: false}}\n", "expected a number, got false"),
        (
            "strata: 1\nworkspace: {name: A}\nobjectives: [{id: o, kind: awareness, statement: s, kpi: {metric: m, deadline: 2027}}]\n",
            "expected a date like 2027-06-30, got 2027",
        ),
    ],
)
def test_it_explains_each_kind_of_mistake(text: str, expected: str) -> None:
    errors = errors_of(text)
    assert any(expected in error for error in errors), errors
    assert all(error.startswith("plan.yaml:") for error in errors)
