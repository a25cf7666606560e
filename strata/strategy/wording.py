"""The plan's paths in the words of the web forms: "channels[2].purpose" becomes
"Channel 'acme-ig' › Primary purpose". The CLI, the API and the plan file page keep the paths,
which are what a person edits there."""

from __future__ import annotations

import re

from strata.strategy.editor import FIELDS
from strata.strategy.elements import KINDS
from strata.strategy.plan.schema import PlanDocument

# The sections without ids: their title and their fields as the section pages name them.
SECTION_TITLES = {"governance": "Governance", "content.mix": "Content mix", "measurement": "Reporting", "workspace": "Workspace settings"}
SECTION_LABELS: dict[str, dict[str, str]] = {
    "governance": {
        "driver": "Who drives social media",
        "ringleader": "Ringleader",
        "budget": "Budget",
        "budget.amount": "Budget › Amount",
        "budget.currency": "Budget › Currency",
        "budget.per": "Budget › Per",
        "stakeholders": "Stakeholders",
    },
    "content.mix": {"social": "Social share", "promotional": "Promotional share"},
    "measurement": {"reports": "Reports"},
    "workspace": {"name": "Name", "timezone": "Time zone"},
}

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?")
# A plan path that names an element: "objectives[eu-awareness]", "content.pillars[0].serves[1]".
_PATH = re.compile(r"\b[a-z_]+(?:\.[a-z_]+)*\[[^\]\s]*\](?:\.[a-z_]+(?:\[[^\]\s]*\])?)*")


def field_label(kind_name: str, name: str) -> str:
    """A form field by its label: "kpi.target" of objectives → "KPI › Target"."""
    top, _, sub = name.partition(".")
    field = next((f for f in FIELDS[kind_name] if f.name == top), None)
    if field is None:
        return name
    return f"{field.label} › {sub.replace('_', ' ').replace('.', ' › ').capitalize()}" if sub else field.label


def _steps(rest: str) -> list[str]:
    return [m.group(1) for m in _STEP.finditer(rest)]


def path_label(path: str, plan: PlanDocument | None = None) -> str:
    """1. an element's path: the element by its id (an index is looked up in `plan`), then the
    field by its label; 2. a section's path: the section's title, then the field; 3. anything
    else unchanged."""
    for kind in sorted(KINDS.values(), key=lambda k: -len(k.path)):
        prefix = ".".join(kind.path)
        if not path.startswith(prefix + "["):
            continue
        ident, _, rest = path[len(prefix) + 1 :].partition("]")
        items = kind.of(plan) if plan is not None else []
        if ident.isdigit() and int(ident) < len(items):
            ident = items[int(ident)].id
        label = f"{kind.singular.capitalize()} '{ident}'"
        steps = _steps(rest)
        return f"{label} › {field_label(kind.name, '.'.join(steps))}" if steps else label
    for section, title in SECTION_TITLES.items():
        if path == section or path.startswith(section + ".") or path.startswith(section + "["):
            steps = _steps(path[len(section) :])
            labels = SECTION_LABELS[section]
            name = ".".join(steps)
            shown = labels.get(name) or labels.get(steps[0] if steps else "", name)
            return f"{title} › {shown}" if shown else title
    return path


def in_form_words(text: str, plan: PlanDocument | None = None) -> str:
    """Every element path in a sentence ("still used by content.pillars[routes]") in form words."""
    return _PATH.sub(lambda m: path_label(m.group(0), plan), text)
