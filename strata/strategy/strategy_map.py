"""The strategy map: goals → objectives → strategies → pillars, and channels ↔ audiences, laid
out in columns as SVG, with every element that has a review finding marked and linked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from strata.strategy.map_badges import Badge
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.review.registry import Finding, Review
from strata.xmltext import xml_text

NODE_W, NODE_H, COL_GAP, ROW_GAP, TOP = 180, 76, 60, 14, 44
MAX_PER_COLUMN = 60
LINE_CHARS = 22  # of a label line at 12 px in a node
MAX_LINES = 3  # then an ellipsis; the link's name has the whole label


@dataclass
class Node:
    ref: str
    label: str
    x: int
    y: int
    url: str
    findings: list[Finding] = field(default_factory=list)
    badge: Badge | None = None

    @property
    def worst(self) -> str:
        order = ("error", "warning", "info")
        return next((s for s in order if any(f.severity == s for f in self.findings)), "")

    @property
    def aria(self) -> str:
        """The link's name: what the node shows (its label and ref) first, then its findings."""
        shown = " ".join(self.lines)
        name = f"{shown} {self.ref}" + (f" ({self.label})" if shown != self.label else "")
        if self.badge is not None:
            name += xml_text(f", {self.badge.text}" + (f": {self.badge.detail}" if self.badge.detail else ""))
        if not self.findings:
            return xml_text(f"{name}: no problems")
        count = f"{len(self.findings)} finding{'' if len(self.findings) == 1 else 's'}"
        # Findings quote what members typed; the map is SVG, which cannot carry every character.
        return xml_text(f"{name}: {count}: " + "; ".join(f.message for f in self.findings))

    @property
    def lines(self) -> list[str]:
        """The label in at most MAX_LINES lines of LINE_CHARS, broken between words where it can be."""
        words, lines, line = self.label.split(), [], ""
        for word in words:
            while len(word) > LINE_CHARS:  # a word longer than a line is broken where it must
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:LINE_CHARS])
                word = word[LINE_CHARS:]
            if line and len(line) + 1 + len(word) > LINE_CHARS:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            lines.append(line)
        if len(lines) > MAX_LINES:
            lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1][: LINE_CHARS - 1].rstrip() + "…"]
        return lines

    @property
    def placed_lines(self) -> list[tuple[int, str]]:
        """(y, text) of each label line, 15 px apart."""
        return [(self.y + 18 + 15 * index, text) for index, text in enumerate(self.lines)]


@dataclass
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int

    @property
    def d(self) -> str:
        mid = (self.x1 + self.x2) // 2
        return f"M{self.x1},{self.y1} C{mid},{self.y1} {mid},{self.y2} {self.x2},{self.y2}"


@dataclass
class Column:
    title: str
    x: int
    hidden: int = 0


@dataclass
class StrategyMap:
    width: int
    height: int
    columns: list[Column]
    nodes: list[Node]
    edges: list[Edge]
    section_findings: list[Finding]


def build_map(
    plan: PlanDocument, review: Review, url_for: Callable[[str, str], str], badges: dict[str, Badge] | None = None
) -> StrategyMap:
    """url_for(kind_name, element_id) gives the editor address of an element; `badges` by ref
    (strategy/map_badges.py) are drawn on their nodes."""
    by_ref: dict[str, list[Finding]] = {}
    for finding in review.findings:
        by_ref.setdefault(finding.ref, []).append(finding)
    spec = [
        ("Goals", "goal", "goals", [(g.id, g.statement) for g in plan.goals]),
        ("Objectives", "objective", "objectives", [(o.id, o.statement) for o in plan.objectives]),
        ("Strategies", "strategy", "strategies", [(s.id, s.statement) for s in plan.strategies]),
        ("Content pillars", "pillar", "pillars", [(p.id, p.name) for p in plan.content.pillars]),
        ("Channels", "channel", "channels", [(c.id, f"{c.platform} {c.handle}") for c in plan.channels]),
        ("Audiences", "audience", "audiences", [(a.id, a.description) for a in plan.audiences]),
    ]
    columns, nodes = [], {}
    rows = 0
    for index, (title, ref_kind, kind_name, items) in enumerate(spec):
        x = 20 + index * (NODE_W + COL_GAP)
        column = Column(title, x, hidden=max(0, len(items) - MAX_PER_COLUMN))
        columns.append(column)
        for row, (ident, label) in enumerate(items[:MAX_PER_COLUMN]):
            ref = f"{ref_kind}:{ident}"
            nodes[ref] = Node(
                xml_text(ref),
                xml_text(label),
                x,
                TOP + row * (NODE_H + ROW_GAP),
                url_for(kind_name, ident),
                by_ref.get(ref, []),
                (badges or {}).get(ref),
            )
        rows = max(rows, min(len(items), MAX_PER_COLUMN) + (1 if column.hidden else 0))

    edges = []

    def link(a: str, b: str) -> None:
        if a in nodes and b in nodes:
            left, right = nodes[a], nodes[b]
            edges.append(Edge(left.x + NODE_W, left.y + NODE_H // 2, right.x, right.y + NODE_H // 2))

    for o in plan.objectives:
        if o.aligns_with:
            link(f"goal:{o.aligns_with}", f"objective:{o.id}")
    for s in plan.strategies:
        for o_id in s.serves:
            link(f"objective:{o_id}", f"strategy:{s.id}")
    for p in plan.content.pillars:
        for s_id in p.serves:
            link(f"strategy:{s_id}", f"pillar:{p.id}")
    for c in plan.channels:
        for a_id in c.audiences:
            link(f"channel:{c.id}", f"audience:{a_id}")

    sections = [f for f in review.findings if ":" not in f.ref]
    return StrategyMap(
        width=20 + len(spec) * (NODE_W + COL_GAP),
        height=TOP + max(rows, 1) * (NODE_H + ROW_GAP) + 20,
        columns=columns,
        nodes=list(nodes.values()),
        edges=edges,
        section_findings=sections,
    )
