"""Plans for tests: the complete example from docs/plan-format.md, as text and as data."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from tests.conftest import ROOT


def complete_plan_text() -> str:
    page = (ROOT / "docs" / "plan-format.md").read_text()
    match = re.search(r"## A complete example.*?```yaml\n(.*?)```", page, re.S)
    assert match, "docs/plan-format.md has lost its complete example"
    return match.group(1)


def complete_plan_data() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(complete_plan_text()))
