"""Every write to a plan. Views, the API and the CLI call these; permission is checked by the
caller through `workspace_access` (the CLI is an operator tool and has every right)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from strata.accounts.actions import ActionError, Conflict
from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role
from strata.strategy.elements import ElementKind
from strata.strategy.models import PlanRevision
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import load_plan, validate_plan
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.signals import plan_saved
from strata.strategy.store import current_plan


def save_plan(
    *,
    workspace: Workspace,
    plan: PlanDocument,
    author: User | None,
    source: str,
    summary: str,
    expected_revision: int | None = None,
) -> PlanRevision:
    """Store `plan` as the workspace's newest revision.

    1. lock the workspace row, so that two saves cannot take the same revision number;
    2. refuse with Conflict when the plan changed since the editor read `expected_revision`;
    3. write the revision and keep the workspace's name and time zone in step with the plan.
    """
    with transaction.atomic():
        locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
        latest = PlanRevision.objects.filter(workspace=locked).order_by("-number").values_list("number", flat=True).first() or 0
        if expected_revision is not None and expected_revision != latest:
            raise Conflict("the plan was changed by someone else since you opened it; reload and apply your change again")
        revision = PlanRevision.objects.create(
            workspace=locked,
            number=latest + 1,
            document=plan.model_dump(mode="json"),
            author=author,
            source=source,
            summary=summary[:300],
        )
        if (locked.name, locked.timezone) != (plan.workspace.name, plan.workspace.timezone):
            locked.name, locked.timezone = plan.workspace.name, plan.workspace.timezone
            locked.save(update_fields=["name", "timezone"])
            workspace.name, workspace.timezone = locked.name, locked.timezone
        transaction.on_commit(lambda: plan_saved.send(sender=PlanRevision, revision=revision))
    return revision


def import_plan(
    *, data: bytes, filename: str, workspace: Workspace | None, slug: str, author: User | None, source: str
) -> tuple[Workspace, PlanRevision]:
    """Import a plan file, all or nothing: it is read and checked in full before anything is
    written, and the workspace (made when missing) and the revision are written in one transaction.
    Raises PlanInvalid with every error when the file cannot be read as a plan."""
    plan = load_plan(data, filename)
    with transaction.atomic():
        if workspace is None:
            workspace, created = Workspace.objects.get_or_create(
                slug=slug, defaults={"name": plan.workspace.name, "timezone": plan.workspace.timezone}
            )
            if created and author is not None:
                Membership.objects.create(user=author, workspace=workspace, role=Role.OWNER)
        revision = save_plan(workspace=workspace, plan=plan, author=author, source=source, summary=f"imported {filename}")
    return workspace, revision


def _validated(data: dict[str, Any], what: str) -> PlanDocument:
    try:
        return validate_plan(data, filename=what)
    except PlanInvalid as exc:
        raise ElementInvalid(exc.errors) from None


class ElementInvalid(ActionError):
    """The change would leave the plan invalid. Carries the errors, each with its path."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__("; ".join(f"{e.path}: {e.message}" if e.path else e.message for e in errors))
        self.errors = errors


def put_element(
    *,
    workspace: Workspace,
    author: User | None,
    kind: ElementKind,
    element_id: str | None,
    element: dict[str, Any],
    expected_revision: int | None = None,
    source: str = PlanRevision.Source.WEB,
) -> PlanRevision:
    """Add an element (element_id None) or replace the one with `element_id` (it may be renamed)."""
    current = current_plan(workspace)
    data = current.plan.model_dump(mode="json")
    items: list[dict[str, Any]] = kind.items(data)
    if element_id is None:
        if any(item["id"] == element.get("id") for item in items):
            raise Conflict(f"there is already a {kind.singular} with id '{element.get('id')}'", field="id")
        items.append(element)
        verb = "added"
    else:
        position = next((i for i, item in enumerate(items) if item["id"] == element_id), None)
        if position is None:
            raise ActionError(f"no {kind.singular} with id '{element_id}'")
        items[position] = element
        verb = "changed"
    plan = _validated(data, kind.name)
    return save_plan(
        workspace=workspace,
        plan=plan,
        author=author,
        source=source,
        summary=f"{verb} {kind.singular} {element.get('id')}",
        expected_revision=expected_revision,
    )


def delete_element(
    *, workspace: Workspace, author: User | None, kind: ElementKind, element_id: str, source: str = PlanRevision.Source.WEB
) -> PlanRevision:
    current = current_plan(workspace)
    data = current.plan.model_dump(mode="json")
    items = kind.items(data)
    remaining = [item for item in items if item["id"] != element_id]
    if len(remaining) == len(items):
        raise ActionError(f"no {kind.singular} with id '{element_id}'")
    items[:] = remaining
    try:
        plan = validate_plan(data, filename=kind.name)
    except PlanInvalid as exc:
        users = ", ".join(sorted({e.path.rsplit(".", 1)[0] for e in exc.errors}))
        raise Conflict(f"{kind.singular} '{element_id}' is still used by {users}; change those first") from None
    return save_plan(workspace=workspace, plan=plan, author=author, source=source, summary=f"removed {kind.singular} {element_id}")


def put_section(*, workspace: Workspace, author: User | None, section: str, value: dict[str, Any]) -> PlanRevision:
    """Replace one section without ids: workspace, governance (without stakeholders), content.mix, measurement."""
    data = current_plan(workspace).plan.model_dump(mode="json")
    if section == "governance":
        value = {**value, "stakeholders": data["governance"]["stakeholders"]}
        data["governance"] = value
    elif section == "content.mix":
        data["content"]["mix"] = value
    elif section in ("workspace", "measurement"):
        data[section] = value
    else:  # pragma: no cover - callers pass fixed names
        raise ValueError(section)
    plan = _validated(data, section)
    if section == "content.mix":
        _whole(plan.content.mix.social, plan.content.mix.promotional)
    return save_plan(workspace=workspace, plan=plan, author=author, source=PlanRevision.Source.WEB, summary=f"changed {section}")


def _whole(social: float, promotional: float) -> None:
    """The two shares split one whole. A plan file may still say otherwise (the review reports
    it), but an edit of the mix alone is refused rather than stored wrong."""
    total = social + promotional
    if abs(total - 1) > 1e-6:
        raise ActionError(
            f"social {social * 100:g} % + promotional {promotional * 100:g} % = {total * 100:g} %: the shares must add up to 100 %",
            field="social",
        )
