"""A proposal as a strategist reviews it: the plan file of the revision it was made from
against the proposed one, as a unified diff, and the elements it adds, removes or changes."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from strata.strategy.elements import KINDS
from strata.strategy.models import PlanProposal
from strata.strategy.plan.dump import dump_plan
from strata.strategy.plan.schema import PlanDocument

CONTEXT = 3  # lines around each change, as `diff -u` shows them

# The parts of the plan without ids, compared whole.
SECTIONS = {
    "workspace": ("workspace",),
    "governance": ("governance",),
    "content.mix": ("content", "mix"),
    "support": ("support",),
    "measurement": ("measurement",),
}


@dataclass(frozen=True)
class Line:
    kind: str  # "add", "remove", "same" or "hunk" (the @@ line that says where)
    text: str
    where: str = ""  # a hunk's place in the plan, in words: "channels › acme-bsky"

    @property
    def sign(self) -> str:
        return {"add": "+", "remove": "-", "same": " ", "hunk": ""}[self.kind]


@dataclass(frozen=True)
class ProposalDiff:
    lines: list[Line]
    changes: list[str]  # "changed channel acme-mastodon", "changed content.mix"

    @property
    def text(self) -> str:
        return "\n".join(line.sign + line.text for line in self.lines)


def proposal_diff(proposal: PlanProposal) -> ProposalDiff:
    before = PlanDocument.model_validate(proposal.based_on.document)
    after = PlanDocument.model_validate(proposal.document)
    return plan_diff(before, after, before_name=f"revision {proposal.based_on.number}")


def plan_diff(before: PlanDocument, after: PlanDocument, *, before_name: str = "before") -> ProposalDiff:
    old, new = dump_plan(before).splitlines(), dump_plan(after).splitlines()
    lines: list[Line] = []
    hunk, position = -1, 0  # the open hunk's index in `lines`; the next line's number in the proposed file
    for raw in difflib.unified_diff(old, new, fromfile=before_name, tofile="proposed", n=CONTEXT, lineterm=""):
        if raw.startswith(("---", "+++")):
            continue
        if raw.startswith("@@"):
            match = _HUNK.match(raw)
            hunk, position = len(lines), int(match.group(1)) if match else 1
            lines.append(Line("hunk", raw))
            continue
        kind = {"+": "add", "-": "remove"}.get(raw[:1], "same")
        if kind != "same" and hunk >= 0 and not lines[hunk].where:
            # Named by where its first change is, not where its context starts (maybe the element before).
            lines[hunk] = Line("hunk", lines[hunk].text, _where(new, position if kind == "add" else position - 1))
        position += kind != "remove"
        lines.append(Line(kind, raw[1:]))
    return ProposalDiff(lines, element_changes(before, after))


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_SECTION = re.compile(r"^([a-z_]+):")
_ELEMENT = re.compile(r"^\s*- id: (\S+)")


def _where(new: list[str], number: int) -> str:
    """The section and element of line `number` (from 1) of the proposed plan file: the nearest
    `- id:` and top-level key at or above it."""
    element = ""
    for line in reversed(new[: max(number, 1)]):
        found = _ELEMENT.match(line)
        if found and not element:
            element = found.group(1)
        section = _SECTION.match(line)
        if section:
            return f"{section.group(1)} › {element}" if element else section.group(1)
    return ""


def element_changes(before: PlanDocument, after: PlanDocument) -> list[str]:
    """Each element added, removed or changed, then each section changed, in the plan's order."""
    found = []
    for kind in KINDS.values():
        old = {e.id: e for e in kind.of(before)}
        new = {e.id: e for e in kind.of(after)}
        for element_id, element in old.items():
            if element_id not in new:
                found.append(f"removed {kind.singular} {element_id}")
            elif new[element_id] != element:
                found.append(f"changed {kind.singular} {element_id}")
        found += [f"added {kind.singular} {element_id}" for element_id in new if element_id not in old]
    for name, path in SECTIONS.items():
        if _at(before, path) != _at(after, path):
            found.append(f"changed {name}")
    return found


def _at(plan: PlanDocument, path: tuple[str, ...]) -> Any:
    node: Any = plan
    for step in path:
        node = getattr(node, step)
    return node
