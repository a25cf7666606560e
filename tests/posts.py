"""Posts for the tests that deliver: made, approved and scheduled through the same actions as
the pages, then made due now."""

from __future__ import annotations

import datetime as dt

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.models import Post, Variant


def due_post(workspace: Workspace, channel_id: str, text: str, *, title: str = "", link: str = "") -> Post:
    post = actions.create_post(
        workspace=workspace,
        actor=None,
        data=actions.PostInput(variants=[actions.VariantInput(channel_id, text, link=link)], title=title, objective_id="eu-awareness"),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=5))
    Variant.objects.filter(post=post).update(next_attempt_at=now(), due_at=now())
    return post
