"""Fresh objects for the permission matrix: each request in a row gets its own post, member,
token or invitation, so that what one role did cannot make the next role's request fail."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import now

from strata.accounts.models import ApiToken, Invitation, Membership, User, Workspace
from strata.accounts.roles import Role
from strata.publishing import actions
from strata.publishing.models import ChannelAccount, Notification, Post, PublishingSettings, Variant
from strata.strategy.actions import put_element
from strata.strategy.elements import KINDS
from strata.strategy.models import PlanRevision
from strata.strategy.store import current_plan
from tests.conftest import DEMO_PLAN
from tests.test_publish_bluesky import png as bluesky_png

FEED = "acme-feed"  # an rss channel: connecting it needs no server, so a connection can succeed
FEED_SERVICE = "http://testserver/feeds/acme/acme-feed.atom"


@dataclass
class World:
    """acme with its personas, an outsider who owns rival, and a counter for unique names."""

    workspace: Workspace
    users: dict[str, User]
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def build(cls, users: dict[str, User]) -> World:
        workspace = Workspace.objects.get(slug="acme")
        put_element(
            workspace=workspace,
            author=None,
            kind=KINDS["channels"],
            element_id=None,
            element={"id": FEED, "platform": "rss", "handle": "feed", "purpose": "educating"},
        )
        return cls(workspace=workspace, users=users)

    def n(self) -> int:
        return next(self.numbers)

    def post(self, state: str = "draft") -> dict[str, Any]:
        """A post of acme in `state`, made through the actions a person's clicks go through;
        'unconfirmed' is where only the publisher leads, so it is set directly."""
        text = f"Acme ride {self.n()}"
        post = actions.create_post(
            workspace=self.workspace,
            actor=None,
            data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", text)], objective_id="eu-awareness"),
        )
        if state == "in_review":
            actions.submit(post=post, actor=None)
        if state in ("approved", "scheduled", "unconfirmed"):
            actions.approve(post=post, actor=None)
        if state in ("scheduled", "unconfirmed"):
            actions.schedule(post=post, actor=None, at=now() + dt.timedelta(days=2))
        if state == "unconfirmed":
            Variant.objects.filter(post=post).update(state=Variant.State.UNCONFIRMED)
            Post.objects.filter(pk=post.pk).update(state=Post.State.UNCONFIRMED)
        return {"post": post.pk, "post_id": post.pk, "text": text}

    def member(self) -> dict[str, Any]:
        """A new analyst in acme, for role changes and removals."""
        number = self.n()
        user = User.objects.create_user(f"member{number}@acme.example", "a long enough test password")
        membership = Membership.objects.create(user=user, workspace=self.workspace, role=Role.ANALYST)
        return {"member": membership.pk, "member_id": membership.pk}

    def pillar(self) -> dict[str, Any]:
        """A content pillar nothing uses, so that deleting it is allowed."""
        element_id = f"spare-{self.n()}"
        put_element(
            workspace=self.workspace,
            author=None,
            kind=KINDS["pillars"],
            element_id=None,
            element={"id": element_id, "name": "Spare pillar", "kind": "social"},
        )
        return {"kind": "pillars", "element_id": element_id}

    def notification(self) -> dict[str, Any]:
        note = Notification.objects.create(workspace=self.workspace, text=f"Acme post {self.n()} failed")
        return {"notification": note.pk}

    def token(self, user: User) -> dict[str, Any]:
        name = f"laptop-{self.n()}"
        token, _ = ApiToken.issue(user=user, name=name)
        return {"token": token.pk, "name": name, "user": user.pk}

    def invitation(self, email: str, workspace: Workspace | None = None) -> dict[str, Any]:
        token, token_hash = Invitation.new_token()
        invitation = Invitation.objects.create(workspace=workspace or self.workspace, email=email, role=Role.ANALYST, token_hash=token_hash)
        return {"invitation": invitation.pk, "token": token, "email": email}

    def club(self, user: User) -> dict[str, Any]:
        """An invitation for `user` to a workspace of its own (acme's personas are in acme already)."""
        number = self.n()
        club = Workspace.objects.create(name=f"Club {number}", slug=f"club-{number}", timezone="UTC")
        return {**self.invitation(user.email, club), "club": club.slug, "user": user.pk}

    def disconnect_feed(self) -> dict[str, Any]:
        ChannelAccount.objects.filter(workspace=self.workspace, channel_id=FEED).delete()
        return {"channel_id": FEED}

    def connect_feed(self) -> None:
        actions.connect_channel(workspace=self.workspace, actor=None, channel_id=FEED, service=FEED_SERVICE, handle="feed", secret="")

    def ical_token(self) -> dict[str, Any]:
        settings = actions.settings_for(self.workspace)
        return {"ical": settings.new_ical_token(), "old_hash": settings.ical_token_hash}

    # What a person would see afterwards.

    def state(self, values: dict[str, Any]) -> str:
        return Post.objects.get(pk=values["post"]).state

    def variant_state(self, values: dict[str, Any]) -> str:
        return Variant.objects.get(post_id=values["post"]).state

    def revised_by(self, user_id: int) -> bool:
        return PlanRevision.objects.filter(workspace=self.workspace, author_id=user_id).exists()

    def element(self, kind: str, element_id: str) -> Any:
        return next((e for e in KINDS[kind].of(current_plan(self.workspace).plan) if e.id == element_id), None)

    def settings(self) -> PublishingSettings:
        return actions.settings_for(self.workspace)


def png(name: str = "map.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, bluesky_png(), content_type="image/png")


def demo_plan_text() -> str:
    return DEMO_PLAN.read_text(encoding="utf-8")
