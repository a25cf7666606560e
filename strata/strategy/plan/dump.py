"""Write a plan document as YAML in the documented layout: sections in a fixed order, no empty
sections, whole numbers without '.0'. Loading the output gives back an equal document."""

from __future__ import annotations

from typing import Any

import yaml

from strata.strategy.plan.schema import PlanDocument

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]


def plan_to_data(plan: PlanDocument) -> dict[str, Any]:
    data = plan.model_dump(mode="python", exclude_none=True)
    cleaned = _clean(data)
    cleaned.setdefault("workspace", data["workspace"])
    return cleaned  # type: ignore[no-any-return]


def dump_plan(plan: PlanDocument) -> str:
    name = " ".join(plan.workspace.name.split())  # a comment is one line, whatever the name holds
    header = f"# Strata plan for {name}. Format: docs/plan-format.md\n"
    body = yaml.dump(plan_to_data(plan), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def _clean(value: Any) -> Any:
    """Drop empty lists and mappings (they load back as their defaults) and tidy numbers."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _clean(item)
            if item in ([], {}):
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value
