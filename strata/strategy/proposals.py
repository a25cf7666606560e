"""Plan changes offered rather than made: propose, accept, decline (every write to a
PlanProposal). Generic on purpose: what proposes (a report's advice, in analytics) passes the
whole proposed plan, a one-line summary, the reason in words and the numbers behind it; the
plan only changes when a strategist accepts, as a revision that keeps the reason.

Callers check permission through `workspace_access` ("plan.edit"), as for every plan write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.timezone import now

from strata.accounts.actions import ActionError, Conflict
from strata.accounts.models import User, Workspace
from strata.strategy.actions import save_plan
from strata.strategy.models import PlanProposal, PlanRevision
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import validate_plan
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.store import current_plan

STALE_MESSAGE = "the plan changed since this was proposed; the next report proposes it again"
KEY_LENGTH = PlanProposal._meta.get_field("key").max_length or 200
SUMMARY_LENGTH = PlanProposal._meta.get_field("summary").max_length or 300


def propose(workspace: Workspace, *, key: str, plan: PlanDocument, summary: str, reason: str, evidence: dict[str, Any]) -> PlanProposal:
    """Offer `plan` as the workspace's next revision, read against the current one.

    Idempotent per `key`: the same advice made again updates its open (or out-of-date) proposal
    to today's plan and numbers; one already accepted or declined is returned untouched, since
    a strategist has answered it."""
    if not key or len(key) > KEY_LENGTH:
        raise ActionError(f"a proposal's key is 1 to {KEY_LENGTH} characters", field="key")
    current = current_plan(workspace)
    if current.revision == 0:
        raise ActionError("the workspace has no plan yet: there is nothing to propose a change to")
    document = plan.model_dump(mode="json")
    if document == current.plan.model_dump(mode="json"):
        raise ActionError("the plan already says this: there is nothing to propose")
    based_on = PlanRevision.objects.get(workspace=workspace, number=current.revision)
    fields = {
        "based_on": based_on,
        "document": document,
        "summary": summary.strip()[:SUMMARY_LENGTH],
        "reason": reason.strip(),
        "evidence": evidence,
    }
    try:
        with transaction.atomic():
            found = PlanProposal.objects.select_for_update().filter(workspace=workspace, key=key).first()
            if found is None:
                return PlanProposal.objects.create(workspace=workspace, key=key, **fields)
            if found.state in (PlanProposal.State.ACCEPTED, PlanProposal.State.DECLINED):
                return found
            for name, value in {**fields, "state": PlanProposal.State.OPEN}.items():
                setattr(found, name, value)
            found.save()
            return found
    except IntegrityError:
        # The same advice proposed twice at once: the other request made it; answer with that one.
        return PlanProposal.objects.get(workspace=workspace, key=key)


def accept(proposal: PlanProposal, *, by: User | None, expected_revision: int | None = None) -> PlanRevision:
    """Save the proposed plan as a new revision whose reason is the proposal's, in one transaction.

    Refused (Conflict) when it was answered already, and when the plan moved on since it was
    proposed: the proposal is then marked out of date rather than applied to a plan it was not
    made for (a proposed document is a whole plan: applying it would undo the later changes)."""
    stale, revision = False, None
    with transaction.atomic():
        locked = PlanProposal.objects.select_for_update().select_related("based_on").get(pk=proposal.pk)
        _still_open(locked, allow_stale=False)
        latest = current_plan(locked.workspace).revision
        if latest != locked.based_on.number:
            locked.state = PlanProposal.State.STALE
            locked.save(update_fields=["state"])
            stale = True
        else:
            if expected_revision is not None and expected_revision != latest:
                raise Conflict("the plan was changed by someone else since you opened it; reload and look at the change again")
            try:
                plan = validate_plan(locked.document, filename="proposal")
            except PlanInvalid as exc:
                raise ActionError(f"the proposed plan is not valid any more ({exc.errors[0].message}); decline it") from None
            revision = save_plan(
                workspace=locked.workspace,
                plan=plan,
                author=by,
                source=PlanRevision.Source.PROPOSAL,
                summary=locked.summary,
                expected_revision=latest,
            )
            revision.reason = locked.reason
            revision.save(update_fields=["reason"])
            _decide(locked, PlanProposal.State.ACCEPTED, by, revision)
    _copy(locked, proposal)
    if stale or revision is None:
        raise Conflict(STALE_MESSAGE)
    return revision


def decline(proposal: PlanProposal, *, by: User | None) -> PlanProposal:
    """Say no: the proposal stays, declined, and the same advice does not propose it again."""
    with transaction.atomic():
        locked = PlanProposal.objects.select_for_update().get(pk=proposal.pk)
        _still_open(locked, allow_stale=True)
        _decide(locked, PlanProposal.State.DECLINED, by, None)
    _copy(locked, proposal)
    return proposal


def accepted_between(workspace: Workspace, begin: dt.datetime, end: dt.datetime) -> list[PlanRevision]:
    """The revisions accepted from proposals from `begin` up to `end`, oldest first: what a
    report shows as changed since the last one, each with its reason."""
    return list(
        PlanRevision.objects.filter(
            workspace=workspace, source=PlanRevision.Source.PROPOSAL, created_at__gte=begin, created_at__lt=end
        ).order_by("number")
    )


def _still_open(proposal: PlanProposal, *, allow_stale: bool) -> None:
    if proposal.state == PlanProposal.State.OPEN:
        return
    if proposal.state == PlanProposal.State.STALE:
        if allow_stale:
            return
        raise Conflict(STALE_MESSAGE)
    raise Conflict(f"this proposal was {proposal.get_state_display()} already")


def _decide(proposal: PlanProposal, state: str, by: User | None, revision: PlanRevision | None) -> None:
    proposal.state, proposal.decided_by, proposal.decided_at, proposal.revision = state, by, now(), revision
    proposal.save(update_fields=["state", "decided_by", "decided_at", "revision"])


def _copy(source: PlanProposal, target: PlanProposal) -> None:
    """Give the caller's instance the state written, so that it does not show the old one."""
    if source is not target:
        for name in ("state", "decided_by_id", "decided_at", "revision_id"):
            setattr(target, name, getattr(source, name))
