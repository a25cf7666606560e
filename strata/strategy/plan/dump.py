"""Write a plan document as YAML in the documented layout: sections in a fixed order, no empty
sections, whole numbers without '.0'. Loading the output gives back an equal document."""

from __future__ import annotations

import functools
from typing import Any

import yaml
import yaml_rs

from strata.strategy.plan.schema import PlanDocument

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


@functools.lru_cache(maxsize=65536)
def _reads_back(value: str) -> bool:
    """Would the loader read this plain scalar back as the same text? (PyYAML writes YAML 1.1;
    the loader reads YAML 1.2, where 0o17 and 1_000 are numbers.)"""
    try:
        return bool(yaml_rs.loads(f"v: {value}", parse_datetime=False) == {"v": value})
    except (yaml_rs.YAMLDecodeError, ValueError):
        return False


class _Dumper(_BaseDumper):
    pass


def _represent_text(dumper: _Dumper, value: str) -> yaml.Node:
    style = '"' if value and "\n" not in value and not _reads_back(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


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
