"""The documentation says what the code does."""

from __future__ import annotations

import io

from django.core.management import call_command

from strata.strategy.plan.loader import load_plan
from strata.strategy.review.registry import run_review
from tests.conftest import ROOT
from tests.plans import complete_plan_text


def test_checks_md_lists_every_check_as_the_code_defines_it() -> None:
    out = io.StringIO()
    call_command("checks", "--markdown", stdout=out)
    assert (ROOT / "docs" / "checks.md").read_text() == out.getvalue(), "run: strata checks --markdown > docs/checks.md"


def test_the_documented_complete_example_is_complete() -> None:
    assert run_review(load_plan(complete_plan_text().encode())).findings == []


def test_the_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "./dev run" in readme
    assert "./dev test" in readme
