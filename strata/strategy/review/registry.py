"""The strategy review: checks register here, `run_review` runs them all.

Other apps (publishing, engagement, analytics) add their own checks by importing `check` in
their AppConfig.ready(); the strategy app never imports them. A check examines a plan (and,
when the review runs for a stored workspace, that workspace's data) and yields findings.

The score: every check takes away points in proportion to the share of the elements it
examines that fail it (error 12, warning 4, info 1), from 100, never below 0. A plan gets
better one fixed element at a time, and one bad channel out of forty costs little.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from strata.strategy.plan.schema import PlanDocument

Severity = Literal["error", "warning", "info"]
SEVERITY_POINTS: dict[str, float] = {"error": 12, "warning": 4, "info": 1}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    ref: str  # "objective:eu-awareness", or a section name such as "governance"
    message: str
    fix: str  # in the plan file's words: the CLI, the API and the plan file page
    form_fix: str = field(default="", compare=False)  # the same advice as the web forms name things

    def __post_init__(self) -> None:
        if not self.form_fix:
            object.__setattr__(self, "form_fix", self.fix)

    @property
    def title(self) -> str:
        """The check's title in words ("objective has no target"), for a badge on a page."""
        check = REGISTRY.get(self.code)
        return check.title if check else self.code

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "ref": self.ref, "message": self.message, "fix": self.fix}


@dataclass
class ReviewContext:
    plan: PlanDocument
    today: dt.date
    workspace_id: int | None = None  # set when reviewing a stored workspace, for data checks
    cache: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def people(self) -> set[str]:
        return {p.id for p in self.plan.people}


Issue = tuple[str, str] | tuple[str, str, str]  # (ref, message) or (ref, message, specific fix)


@dataclass(frozen=True)
class Check:
    code: str
    severity: Severity
    title: str
    why: str
    fix: str
    run: Callable[[ReviewContext], Iterable[Issue]]
    examines: Callable[[ReviewContext], Sized | int] | None  # None: the plan as a whole
    needs_workspace: bool = False
    form_fix: str = ""  # `fix` as the web forms name the fields; empty when `fix` already does


REGISTRY: dict[str, Check] = {}


def check(
    code: str,
    severity: Severity,
    *,
    title: str,
    why: str,
    fix: str,
    examines: Callable[[ReviewContext], Sized | int] | None = None,
    needs_workspace: bool = False,
    form_fix: str = "",
) -> Callable[[Callable[[ReviewContext], Iterable[Issue]]], Callable[[ReviewContext], Iterable[Issue]]]:
    def register(func: Callable[[ReviewContext], Iterable[Issue]]) -> Callable[[ReviewContext], Iterable[Issue]]:
        if code in REGISTRY and REGISTRY[code].run is not func:
            raise ValueError(f"two strategy checks share the code {code!r}")
        REGISTRY[code] = Check(code, severity, title, why, fix, func, examines, needs_workspace, form_fix)
        return func

    return register


@dataclass(frozen=True)
class Review:
    findings: list[Finding]
    score: int

    def as_dict(self) -> dict[str, Any]:
        return {"findings": [f.as_dict() for f in self.findings], "score": self.score}

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def for_ref(self, ref: str) -> list[Finding]:
        return [f for f in self.findings if f.ref == ref]


def run_review(plan: PlanDocument, *, today: dt.date | None = None, workspace_id: int | None = None) -> Review:
    ctx = ReviewContext(plan=plan, today=today or dt.datetime.now(dt.UTC).date(), workspace_id=workspace_id)
    findings: list[Finding] = []
    penalty = 0.0
    for registered in REGISTRY.values():
        if registered.needs_workspace and workspace_id is None:
            continue
        found = [
            Finding(
                registered.code,
                registered.severity,
                issue[0],
                issue[1],
                issue[2] if len(issue) == 3 else registered.fix,
                "" if len(issue) == 3 else registered.form_fix,
            )
            for issue in registered.run(ctx)
        ]
        if not found:
            continue
        findings.extend(found)
        examined = registered.examines(ctx) if registered.examines else 1
        total = examined if isinstance(examined, int) else len(examined)
        failing = len({f.ref for f in found})
        penalty += SEVERITY_POINTS[registered.severity] * min(1.0, failing / max(total, 1))
    findings.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return Review(findings=findings, score=max(0, round(100 - penalty)))


def load_checks() -> None:
    """Import the plan's own checks (other apps' checks load with their app)."""
    from strata.strategy.review import checks  # noqa: F401
