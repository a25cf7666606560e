"""The permission matrix: one row per route and method (and per htmx answer where a view
answers htmx differently), each naming the permission of strata/accounts/roles.py it needs.

A row's roles are PERMISSIONS[row.needs]; the other roles must get 403 and the outsider (a
member of another workspace) 404, and neither may change anything. Routes without a
workspace are SIGNED_IN (anyone signed in, on their own things only) or PUBLIC (open by
design, with the reason). Writes make fresh objects for every request (`make`) and say how
the change shows (`done`); reads say what an allowed reader sees (`shows`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.timezone import now

from strata import crypto
from strata.accounts.models import ApiToken, Invitation, Membership, User, Workspace
from strata.engagement.inbox import filing
from strata.engagement.models import Answer, Conversation, HeardItem, InboxSettings, Note, Reaction, SavedView, Source
from strata.publishing import actions
from strata.publishing.models import ChannelAccount, Media, Notification, Post, PostEvent, Variant
from tests.permissions_world import FEED, FEED_SERVICE, World, demo_plan_text, png

SIGNED_IN = "signed in"  # anyone signed in, each on their own things
PUBLIC = "public"  # open by design; the row's `reason` says why

Values = dict[str, Any]
Make = Callable[[World, User], Values]


def _nothing(world: World, user: User) -> Values:
    return {}


@dataclass(frozen=True)
class Row:
    route: str  # the URL name of a page, or "METHOD /api/v1/path" of an API operation
    method: str
    needs: str  # a permission of PERMISSIONS, SIGNED_IN or PUBLIC
    path: str = ""  # pages: the address, with {slug} and what `make` returns; API rows use their route
    make: Make = _nothing
    body: Any = None  # a dict or text, or a function of the values
    ok: int = 200
    done: Callable[[World, Values], bool] | None = None
    shows: str = ""  # formatted with the values
    htmx: bool = False
    label: str = ""
    reason: str = ""
    foreign: int = 404  # the outsider in their own workspace with acme's object ids
    content_type: str = "application/json"  # of an API row's body

    @property
    def api(self) -> bool:
        return self.route.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE "))

    @property
    def id(self) -> str:
        return " ".join(filter(None, [self.route if self.api else f"{self.method.upper()} {self.route}", self.label, "htmx" * self.htmx]))

    @property
    def template(self) -> str:
        return self.route.split(" ", 1)[1] if self.api else self.path

    def address(self, values: Values, slug: str = "acme") -> str:
        return self.template.format(slug=slug, **values)

    def data(self, values: Values) -> Any:
        body = self.body(values) if callable(self.body) else self.body
        if self.api and isinstance(body, dict):
            return json.dumps(body)
        return body


def post_in(state: str) -> Make:
    return lambda world, user: world.post(state)


def state_is(state: str) -> Callable[[World, Values], bool]:
    return lambda world, values: world.state(values) == state


def variant_is(state: str) -> Callable[[World, Values], bool]:
    return lambda world, values: world.variant_state(values) == state


def numbered(world: World, user: User) -> Values:
    return {"n": world.n()}


def revised(world: World, values: Values) -> bool:
    return world.revised_by(values["actor"])


def post_with_image(state: str) -> Make:
    """A post of acme in `state` with one image on its acme-bsky variant."""

    def make(world: World, user: User) -> Values:
        values = world.post(state)
        media = actions.add_media(
            post=Post.objects.get(pk=values["post"]), actor=None, channel_id="acme-bsky", data=png().read(), alt="The route on a map"
        )
        return {**values, "media": media.pk}

    return make


def new_post_saved(world: World, values: Values) -> bool:
    return Variant.objects.filter(post__workspace=world.workspace, text=f"Acme new {values['n']}").exists()


def feed_connected(world: World, values: Values) -> bool:
    return ChannelAccount.objects.filter(workspace=world.workspace, channel_id=FEED, connected_by_id=values["actor"]).exists()


def member_role(role: str) -> Callable[[World, Values], bool]:
    return lambda world, values: Membership.objects.filter(pk=values["member"], role=role).exists()


def member_gone(world: World, values: Values) -> bool:
    return not Membership.objects.filter(pk=values["member"]).exists()


def invited(world: World, values: Values) -> bool:
    return Invitation.objects.filter(workspace=world.workspace, email=f"new{values['n']}@example.org").exists()


def waiting_invitation(world: World, user: User) -> Values:
    values = world.invitation(f"new{world.n()}@example.org")
    return {**values, "invitation_id": values["invitation"]}  # as the page's and the API's addresses name it


def resent(world: World, values: Values) -> bool:
    return Invitation.objects.filter(pk=values["invitation"], invited_by_id=values["actor"]).exists()


def cancelled(world: World, values: Values) -> bool:
    return not Invitation.objects.filter(pk=values["invitation"]).exists()


NEW_PASSWORD = "a fresh pass phrase 9"


def reset_link(world: World, user: User) -> Values:
    """A person with a password-reset link, as the e-mail carries it."""
    person = User.objects.create_user(f"reset{world.n()}@example.org", "an old long password")
    return {"uid": urlsafe_base64_encode(force_bytes(person.pk)), "reset": default_token_generator.make_token(person), "person": person.pk}


def goal_added(world: World, values: Values) -> bool:
    return world.element("goals", f"goal-{values['n']}") is not None


def goal_renamed(world: World, values: Values) -> bool:
    goal = world.element("goals", "grow-eu")
    return goal is not None and goal.statement == f"Grow EU revenue {values['n']} %"


def pillar_gone(world: World, values: Values) -> bool:
    return world.element("pillars", values["element_id"]) is None


def joined(world: World, values: Values) -> bool:
    return Membership.objects.filter(user_id=values["user"], workspace__slug=values["club"]).exists()


def made_workspace(world: World, values: Values) -> bool:
    return Membership.objects.filter(user_id=values["actor"], workspace__slug=f"club-{values['n']}", role="owner").exists()


def csv_body(values: Values) -> dict[str, Any]:
    text = f"channel,text,objective\nacme-bsky,Acme csv {values['n']},eu-awareness\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("posts.csv", text.encode(), content_type="text/csv"), "confirm": "1"}


def with_a_time(world: World, user: User) -> Values:
    """An approved post given its time but not scheduled yet, for the list's bulk "schedule"."""
    values = world.post("approved")
    Post.objects.filter(pk=values["post"]).update(scheduled_at=now() + dt.timedelta(days=3))
    return values


def deleted(world: World, values: Values) -> bool:
    return Post.objects.filter(pk=values["post"]).exclude(deleted_at=None).exists()


def copied(world: World, values: Values) -> bool:
    return Post.objects.filter(workspace=world.workspace, title=f"Copy of {values['text']}", state="draft").exists()


def bulk(action: str, **extra: str) -> Callable[[Values], Values]:
    return lambda v: {"action": action, "post": str(v["post"]), "back": "sort=title", **extra}


def later(days: int) -> str:
    return (now() + dt.timedelta(days=days)).isoformat()


PLAN = "plan.view"
POSTS = "/w/{slug}/posts/{post}"

# Pages: every URL pattern that is not an API operation.
PAGES = [
    # Signing in and out, and the invitation link, come before any workspace.
    Row("login", "get", PUBLIC, "/login/", shows="password", reason="signing in is how one gets an account's rights"),
    Row("logout", "post", PUBLIC, "/logout/", ok=302, reason="signing out needs no rights; it ends the session it is sent with"),
    Row("password-reset", "get", PUBLIC, "/password-reset/", shows="Send the link", reason="whoever forgot their password is signed out"),
    Row(
        "password-reset",
        "post",
        PUBLIC,
        "/password-reset/",
        body={"email": "owner@acme.example"},
        shows="on its way",
        reason="the link goes to the address, never to the asker; the answer is the same for every address",
    ),
    Row(
        "password-reset-confirm",
        "get",
        PUBLIC,
        "/password-reset/{uid}/{reset}/",
        make=reset_link,
        shows="New password",
        reason="the link e-mailed to the account's address is the key",
    ),
    Row(
        "password-reset-confirm",
        "get",
        PUBLIC,
        "/password-reset/MQ/not-a-real-token/",
        ok=404,
        label="with a wrong token",
        reason="a wrong link shows nothing of any account",
    ),
    Row(
        "password-reset-confirm",
        "post",
        PUBLIC,
        "/password-reset/{uid}/{reset}/",
        make=reset_link,
        body={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ok=302,
        done=lambda world, values: User.objects.get(pk=values["person"]).check_password(NEW_PASSWORD),
        label="new password",
        reason="whoever holds the link received it at the account's address, which proves the address",
    ),
    Row(
        "accept-invitation",
        "get",
        PUBLIC,
        "/invitations/{token}/",
        make=lambda world, user: world.invitation(f"new{world.n()}@example.org"),
        shows="Acme Bikes",
        reason="the link e-mailed to the invited address is the key: its holder may see which workspace invites them",
    ),
    Row(
        "accept-invitation",
        "get",
        PUBLIC,
        "/invitations/not-a-real-token/",
        ok=404,
        label="with a wrong token",
        reason="a wrong link shows nothing of any workspace",
    ),
    Row(
        "accept-invitation",
        "post",
        PUBLIC,
        "/invitations/{token}/",
        make=lambda world, user: world.invitation(f"new{world.n()}@example.org"),
        body={"name": "New Rider", "password": "a long enough pass phrase 7"},
        ok=302,
        done=lambda world, values: Membership.objects.filter(user__email=values["email"], workspace=world.workspace).exists(),
        label="signing up",
        reason="whoever holds the link received it at the invited address, which proves the address",
    ),
    # One's own account: every signed-in person, on their own things.
    Row("home", "get", SIGNED_IN, "/", make=lambda world, user: {"own": own_workspace(user).name}, shows="{own}"),
    Row(
        "home",
        "post",
        SIGNED_IN,
        "/",
        make=numbered,
        body=lambda v: {"name": f"Club {v['n']}", "slug": f"club-{v['n']}", "timezone": "UTC"},
        ok=302,
        done=made_workspace,
        label="new workspace",
    ),
    Row(
        "answer-invitation",
        "post",
        SIGNED_IN,
        "/invitations/{invitation}/answer/",
        make=lambda world, user: world.club(user),
        body={"answer": "accept"},
        ok=302,
        done=joined,
    ),
    Row("api-tokens", "get", SIGNED_IN, "/account/tokens/", make=lambda world, user: world.token(user), shows="{name}"),
    Row(
        "api-tokens",
        "post",
        SIGNED_IN,
        "/account/tokens/",
        make=numbered,
        body=lambda v: {"name": f"ci-{v['n']}"},
        done=lambda world, values: ApiToken.objects.filter(user_id=values["actor"], name=f"ci-{values['n']}").exists(),
        label="new token",
    ),
    Row(
        "revoke-token",
        "post",
        SIGNED_IN,
        "/account/tokens/{token}/revoke/",
        make=lambda world, user: world.token(user),
        ok=302,
        done=lambda world, values: not ApiToken.objects.filter(pk=values["token"]).exists(),
    ),
    Row(
        "revoke-token",
        "get",
        SIGNED_IN,
        "/account/tokens/{token}/revoke/",
        make=lambda world, user: world.token(user),
        shows="{name}",
        label="asks to confirm",
    ),
    # The plan.
    Row("switch-workspace", "get", PLAN, "/switch/?slug={slug}", ok=302),
    Row("plan-overview", "get", PLAN, "/w/{slug}/", shows="Acme Bikes"),
    Row("plan-review", "get", PLAN, "/w/{slug}/review/", shows="Acme Bikes"),
    Row("plan-review", "get", PLAN, "/w/{slug}/review/?severity=warning", htmx=True, shows="finding"),
    Row("plan-map", "get", PLAN, "/w/{slug}/map/", shows="eu-awareness"),
    Row("element-list", "get", PLAN, "/w/{slug}/plan/objectives/", shows="eu-awareness"),
    Row("element-new", "get", PLAN, "/w/{slug}/plan/goals/new/"),
    Row(
        "element-new",
        "post",
        "plan.edit",
        "/w/{slug}/plan/goals/new/",
        make=numbered,
        body=lambda v: {"id": f"goal-{v['n']}", "statement": f"Goal {v['n']}"},
        ok=302,
        done=goal_added,
    ),
    Row("element-edit", "get", PLAN, "/w/{slug}/plan/objectives/eu-awareness/", shows="eu-awareness"),
    Row(
        "element-edit",
        "post",
        "plan.edit",
        "/w/{slug}/plan/goals/grow-eu/",
        make=numbered,
        body=lambda v: {"id": "grow-eu", "statement": f"Grow EU revenue {v['n']} %"},
        ok=302,
        done=goal_renamed,
    ),
    Row(
        "element-delete",
        "post",
        "plan.edit",
        "/w/{slug}/plan/{kind}/{element_id}/delete/",
        make=lambda world, user: world.pillar(),
        ok=302,
        done=pillar_gone,
    ),
    Row("plan-section", "get", PLAN, "/w/{slug}/settings/governance/", label="governance"),
    Row("plan-section", "get", PLAN, "/w/{slug}/settings/mix/", label="mix"),
    Row("plan-section", "get", PLAN, "/w/{slug}/settings/measurement/", label="measurement"),
    Row("plan-section", "get", "workspace.manage", "/w/{slug}/settings/workspace/", label="workspace"),
    Row(
        "plan-section",
        "post",
        "plan.edit",
        "/w/{slug}/settings/governance/",
        body={"driver": "product", "ringleader": "maria"},
        ok=302,
        done=revised,
        label="governance",
    ),
    Row(
        "plan-section",
        "post",
        "plan.edit",
        "/w/{slug}/settings/mix/",
        body={"social": "0.7", "promotional": "0.3"},
        ok=302,
        done=revised,
        label="mix",
    ),
    Row(
        "plan-section",
        "post",
        "plan.edit",
        "/w/{slug}/settings/measurement/",
        body={"monthly.on": "1", "monthly.to": "maria"},
        ok=302,
        done=revised,
        label="measurement",
    ),
    Row(
        "plan-section",
        "post",
        "workspace.manage",
        "/w/{slug}/settings/workspace/",
        body={"name": "Acme Bikes", "timezone": "Europe/Vienna"},
        ok=302,
        done=revised,
        label="workspace",
    ),
    Row("plan-file", "get", PLAN, "/w/{slug}/file/"),
    Row("plan-file", "post", "plan.edit", "/w/{slug}/file/", body=lambda v: {"text": demo_plan_text()}, ok=302, done=revised),
    Row("plan-export", "get", PLAN, "/w/{slug}/file/plan.yaml", shows="Acme Bikes"),
    Row("plan-history", "get", PLAN, "/w/{slug}/history/"),
    # Members.
    Row("members", "get", "members.view", "/w/{slug}/members/", shows="owner@acme.example"),
    Row(
        "members",
        "post",
        "members.manage",
        "/w/{slug}/members/",
        make=numbered,
        body=lambda v: {"email": f"new{v['n']}@example.org", "role": "editor"},
        ok=302,
        done=invited,
        label="invite",
    ),
    Row(
        "member-role",
        "post",
        "members.manage",
        "/w/{slug}/members/{member}/",
        make=lambda world, user: world.member(),
        body={"role": "editor"},
        ok=302,
        done=member_role("editor"),
        foreign=302,
        label="change role",
    ),
    Row(
        "member-role",
        "post",
        "members.manage",
        "/w/{slug}/members/{member}/",
        make=lambda world, user: world.member(),
        body={"role": "analyst", "remove": "1"},
        ok=302,
        done=member_gone,
        foreign=302,
        label="remove",
    ),
    Row(
        "invitation-resend",
        "post",
        "members.manage",
        "/w/{slug}/invitations/{invitation}/resend/",
        make=waiting_invitation,
        ok=302,
        done=resent,
    ),
    Row(
        "invitation-cancel",
        "post",
        "members.manage",
        "/w/{slug}/invitations/{invitation}/cancel/",
        make=waiting_invitation,
        ok=302,
        done=cancelled,
    ),
    # Posts and the calendar.
    Row("calendar", "get", "post.view", "/w/{slug}/calendar/", make=post_in("scheduled"), shows="Acme Bikes"),
    Row("calendar", "get", "post.view", "/w/{slug}/calendar/?view=week", htmx=True, make=post_in("scheduled"), shows="week"),
    Row(
        "calendar-ics",
        "get",
        PUBLIC,
        "/w/{slug}/calendar.ics?token={ical}",
        make=lambda world, user: {**world.post("scheduled"), **world.ical_token()},
        shows="{text}",
        reason="calendar apps cannot sign in: the secret token in the address is the key",
    ),
    Row(
        "calendar-ics",
        "get",
        PUBLIC,
        "/w/{slug}/calendar.ics?token=guessed",
        make=lambda world, user: world.ical_token(),
        ok=404,
        label="with a wrong token",
        reason="without the token the feed does not even say that the workspace exists",
    ),
    Row(
        "calendar-ics-token",
        "post",
        "post.schedule",
        "/w/{slug}/calendar/address/",
        make=lambda world, user: world.ical_token(),
        shows="token=",
        done=lambda world, values: world.settings().ical_token_hash != values["old_hash"],
    ),
    Row("post-new", "get", "post.write", "/w/{slug}/posts/new/"),
    Row(
        "post-new",
        "post",
        "post.write",
        "/w/{slug}/posts/new/",
        make=numbered,
        body=lambda v: {"objective": "eu-awareness", "text.acme-bsky": f"Acme new {v['n']}"},
        ok=302,
        done=new_post_saved,
    ),
    Row(
        "post-new",
        "post",
        "post.write",
        "/w/{slug}/posts/new/",
        make=numbered,
        body=lambda v: {"objective": "eu-awareness", "text.acme-bsky": f"Acme preview {v['n']}"},
        htmx=True,
        shows="Acme preview {n}",
        label="preview",
    ),
    Row("post-detail", "get", "post.view", POSTS + "/", make=post_in("draft"), shows="{text}"),
    Row("post-edit", "get", "post.write", POSTS + "/edit/", make=post_in("draft"), shows="{text}"),
    Row(
        "post-edit",
        "post",
        "post.write",
        POSTS + "/edit/",
        make=post_in("draft"),
        body=lambda v: {"objective": "eu-awareness", "text.acme-bsky": f"{v['text']} edited"},
        ok=302,
        done=lambda world, values: Variant.objects.filter(post_id=values["post"], text=f"{values['text']} edited").exists(),
    ),
    Row(
        "post-edit",
        "post",
        "post.write",
        POSTS + "/edit/",
        make=post_in("draft"),
        body=lambda v: {"objective": "eu-awareness", "text.acme-bsky": f"{v['text']} previewed"},
        htmx=True,
        shows="{text} previewed",
        label="preview",
    ),
    Row(
        "post-move",
        "post",
        "post.schedule",
        POSTS + "/move/",
        make=post_in("scheduled"),
        body=lambda values: {"date": five_days_on().isoformat()},
        done=lambda world, values: moved_to(values["post"], world.workspace) == five_days_on(),
    ),
    Row(
        "post-media",
        "post",
        "post.media",
        POSTS + "/media/",
        make=post_in("draft"),
        body=lambda v: {"channel": "acme-bsky", "alt": "The route on a map", "file": png()},
        ok=302,
        done=lambda world, values: Media.objects.filter(variant__post_id=values["post"]).exists(),
    ),
    Row("post-media-file", "get", "post.view", POSTS + "/media/{media}/", make=post_with_image("draft"), shows="PNG"),
    Row(
        "post-media-remove",
        "post",
        "post.media",
        POSTS + "/media/{media}/remove/",
        make=post_with_image("draft"),
        ok=302,
        done=lambda world, values: not Media.objects.filter(pk=values["media"]).exists(),
    ),
    Row(
        "post-media-alt",
        "post",
        "post.media",
        POSTS + "/media/{media}/alt/",
        make=post_with_image("draft"),
        body={"alt": "The lake route on a map, in orange"},
        ok=302,
        done=lambda world, values: Media.objects.filter(pk=values["media"], alt="The lake route on a map, in orange").exists(),
    ),
    Row(
        "post-publish-now",
        "post",
        "post.schedule",
        POSTS + "/publish-now/",
        make=post_in("approved"),
        ok=302,
        done=state_is("scheduled"),
    ),
    Row(
        "post-transition",
        "post",
        "post.write",
        POSTS + "/submit/",
        make=post_in("draft"),
        ok=302,
        done=state_is("in_review"),
        label="submit",
    ),
    Row(
        "post-transition",
        "post",
        "post.approve",
        POSTS + "/approve/",
        make=post_in("in_review"),
        ok=302,
        done=state_is("approved"),
        label="approve",
    ),
    Row(
        "post-transition",
        "post",
        "post.approve",
        POSTS + "/send_back/",
        make=post_in("in_review"),
        body={"text": "Needs a link"},
        ok=302,
        done=state_is("draft"),
        label="send_back",
    ),
    Row(
        "post-transition",
        "post",
        "post.view",
        POSTS + "/comment/",
        make=lambda world, user: {**world.post("draft"), "n": world.n()},
        body=lambda v: {"text": f"Looks good {v['n']}"},
        ok=302,
        done=lambda world, values: PostEvent.objects.filter(post_id=values["post"], text=f"Looks good {values['n']}").exists(),
        label="comment",
    ),
    Row(
        "post-transition",
        "post",
        "post.schedule",
        POSTS + "/schedule/",
        make=post_in("approved"),
        body=lambda v: {"at": (now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")},
        ok=302,
        done=state_is("scheduled"),
        label="schedule",
    ),
    Row(
        "post-transition",
        "post",
        "post.schedule",
        POSTS + "/unschedule/",
        make=post_in("scheduled"),
        ok=302,
        done=state_is("approved"),
        label="unschedule",
    ),
    Row(
        "post-transition",
        "post",
        "post.schedule",
        POSTS + "/went_out/",
        make=post_in("unconfirmed"),
        body={"channel": "acme-bsky"},
        ok=302,
        done=variant_is("published"),
        label="went_out",
    ),
    Row(
        "post-transition",
        "post",
        "post.schedule",
        POSTS + "/did_not_go_out/",
        make=post_in("unconfirmed"),
        body={"channel": "acme-bsky"},
        ok=302,
        done=variant_is("failed"),
        label="did_not_go_out",
    ),
    # The posts list, its bulk actions, and deleting or duplicating one post.
    Row("posts-list", "get", "post.view", "/w/{slug}/posts/", make=post_in("draft"), shows="{text}"),
    Row("posts-list", "get", "post.view", "/w/{slug}/posts/?q=Acme+ride&sort=-updated", htmx=True, make=post_in("draft"), shows="{text}"),
    Row(
        "posts-bulk",
        "post",
        "post.approve",
        "/w/{slug}/posts/bulk/",
        make=post_in("in_review"),
        body=bulk("approve"),
        ok=302,
        done=state_is("approved"),
        label="approve",
    ),
    Row(
        "posts-bulk",
        "post",
        "post.schedule",
        "/w/{slug}/posts/bulk/",
        make=with_a_time,
        body=bulk("schedule"),
        ok=302,
        done=state_is("scheduled"),
        label="schedule",
    ),
    Row(
        "posts-bulk",
        "post",
        "post.schedule",
        "/w/{slug}/posts/bulk/",
        make=post_in("scheduled"),
        body=bulk("unschedule"),
        ok=302,
        done=state_is("approved"),
        label="unschedule",
    ),
    Row(
        "posts-bulk",
        "post",
        "post.write",
        "/w/{slug}/posts/bulk/",
        make=post_in("draft"),
        body=bulk("duplicate"),
        ok=302,
        done=copied,
        label="duplicate",
    ),
    Row(
        "posts-bulk",
        "post",
        "post.write",
        "/w/{slug}/posts/bulk/",
        make=post_in("draft"),
        body=bulk("delete"),
        shows="Delete 1 post",
        label="delete, asking first",
    ),
    Row(
        "posts-bulk",
        "post",
        "post.write",
        "/w/{slug}/posts/bulk/",
        make=post_in("scheduled"),
        body=bulk("delete", confirm="1"),
        ok=302,
        done=deleted,
        label="delete",
    ),
    Row("post-delete", "get", "post.write", POSTS + "/delete/", make=post_in("draft"), shows="{text}"),
    Row("post-delete", "post", "post.write", POSTS + "/delete/", make=post_in("approved"), ok=302, done=deleted),
    Row("post-duplicate", "post", "post.write", POSTS + "/duplicate/", make=post_in("draft"), ok=302, done=copied),
    Row(
        "publishing-settings",
        "post",
        "workspace.manage",
        "/w/{slug}/publishing-settings/",
        make=lambda world, user: {"minutes": 30 + world.n()},
        body=lambda v: {"missed_after_minutes": str(v["minutes"])},
        ok=302,
        done=lambda world, values: world.settings().missed_after_minutes == values["minutes"],
    ),
    Row(
        "notification-done",
        "post",
        "post.schedule",
        "/w/{slug}/notifications/{notification}/done/",
        make=lambda world, user: world.notification(),
        ok=302,
        foreign=302,
        done=lambda world, values: Notification.objects.filter(pk=values["notification"]).exclude(resolved_at=None).exists(),
    ),
    Row("channels", "get", "post.view", "/w/{slug}/channels/", shows="acme-bsky"),
    Row(
        "channels",
        "post",
        "channel.connect",
        "/w/{slug}/channels/",
        make=lambda world, user: world.disconnect_feed(),
        body={"channel": FEED, "service": FEED_SERVICE, "handle": "feed"},
        ok=302,
        done=feed_connected,
        label="connect",
    ),
    Row("posts-csv", "get", "post.view", "/w/{slug}/posts.csv/"),
    Row("posts-csv", "get", "post.view", "/w/{slug}/posts.csv/?download=1", make=post_in("draft"), shows="{text}", label="download"),
    Row(
        "posts-csv",
        "post",
        "post.write",
        "/w/{slug}/posts.csv/",
        make=numbered,
        body=csv_body,
        ok=302,
        done=lambda world, values: Variant.objects.filter(post__workspace=world.workspace, text=f"Acme csv {values['n']}").exists(),
        label="import",
    ),
    Row(
        "channel-feed",
        "get",
        PUBLIC,
        "/feeds/{slug}/acme-feed.atom",
        make=lambda world, user: world.connect_feed() or {},
        shows="acme-feed",
        reason="an Atom feed is for anyone's feed reader: it lists only what was published to the open web",
    ),
    Row(
        "channel-feed",
        "get",
        PUBLIC,
        "/feeds/{slug}/acme-bsky.atom",
        ok=404,
        label="of a channel that is not a feed",
        reason="only channels on the rss platform have a feed",
    ),
    # The listening query form's "try it": anyone who reads the plan may try a query; nothing is stored.
    Row(
        "query-trial",
        "post",
        "plan.view",
        "/w/{slug}/query-trial/",
        body={"query": "spring NEAR/3 ride*", "text": "a spring ride", "language": ""},
        shows="Matches",
    ),
    Row(
        "query-trial",
        "post",
        "plan.view",
        "/w/{slug}/query-trial/",
        body={"query": "spring AND (ride", "text": "a spring ride"},
        htmx=True,
        shows="cannot be read",
    ),
    # What was heard: the listening page, its CSV, and correcting an item's labels.
    Row("listening", "get", "heard.view", "/w/{slug}/listening/", make=lambda world, user: heard_matched(world), shows="{text}"),
    Row("listening-topic", "get", "heard.view", "/w/{slug}/listening/all/", make=lambda world, user: heard_item(world), shows="{text}"),
    Row(
        "listening-topic",
        "get",
        "heard.view",
        "/w/{slug}/listening/brand/?platform=bluesky",
        make=lambda world, user: heard_matched(world),
        htmx=True,
        shows="{text}",
    ),
    Row(
        "listening-csv",
        "get",
        "heard.view",
        "/w/{slug}/listening.csv?topic=all",
        make=lambda world, user: heard_item(world),
        shows="{text}",
    ),
    Row(
        "heard-labels",
        "post",
        "heard.label",
        "/w/{slug}/heard/{item_id}/labels/",
        make=lambda world, user: heard_item(world),
        body={"sentiment": "negative"},
        ok=302,
        done=lambda world, values: HeardItem.objects.filter(pk=values["item_id"], corrected_sentiment="negative").exists(),
    ),
    Row(
        "heard-labels",
        "post",
        "heard.label",
        "/w/{slug}/heard/{item_id}/labels/",
        make=lambda world, user: heard_item(world),
        body={"toggle": "complaint"},
        htmx=True,
        shows="Corrected by",
        done=lambda world, values: HeardItem.objects.filter(pk=values["item_id"], corrected_intents=["complaint"]).exists(),
    ),
    Row("inbox", "get", "inbox.view", "/w/{slug}/inbox/", make=lambda world, user: conversation(world), shows="{text}"),
    Row(
        "inbox",
        "get",
        "inbox.view",
        "/w/{slug}/inbox/?sort=newest",
        make=lambda world, user: conversation(world),
        htmx=True,
        shows="{text}",
    ),
    Row(
        "inbox-conversation",
        "get",
        "inbox.view",
        "/w/{slug}/inbox/{conversation_id}/",
        make=lambda world, user: conversation(world),
        shows="{text}",
    ),
    Row(
        "inbox-reply",
        "post",
        "inbox.answer",
        "/w/{slug}/inbox/{conversation_id}/reply/",
        make=lambda world, user: conversation(world),
        body={"text": "Sorry to hear it: could you send us a direct message?"},
        ok=302,
        done=lambda world, values: Answer.objects.filter(conversation_id=values["conversation_id"]).exists(),
    ),
    Row(
        "inbox-assign",
        "post",
        "inbox.answer",
        "/w/{slug}/inbox/{conversation_id}/assign/",
        make=lambda world, user: conversation(world),
        body={"assignee": "jonas"},
        ok=302,
        done=lambda world, values: Conversation.objects.filter(pk=values["conversation_id"], assignee="jonas").exists(),
    ),
    Row(
        "inbox-state",
        "post",
        "inbox.answer",
        "/w/{slug}/inbox/{conversation_id}/state/",
        make=lambda world, user: conversation(world),
        body={"state": "done"},
        ok=302,
        done=lambda world, values: Conversation.objects.filter(pk=values["conversation_id"], state="done").exists(),
    ),
    Row(
        "inbox-note",
        "post",
        "inbox.answer",
        "/w/{slug}/inbox/{conversation_id}/note/",
        make=lambda world, user: conversation(world),
        body={"text": "Checking the brake batch"},
        ok=302,
        done=lambda world, values: Note.objects.filter(conversation_id=values["conversation_id"]).exists(),
    ),
    Row(
        "inbox-offline",
        "post",
        "inbox.answer",
        "/w/{slug}/inbox/{conversation_id}/offline/",
        make=lambda world, user: conversation(world),
        body={"contact": "jo@example.com", "follow_up": "2099-01-02"},
        ok=302,
        done=lambda world, values: Conversation.objects.filter(pk=values["conversation_id"], state="offline").exists(),
    ),
    Row(
        "inbox-bulk",
        "post",
        "inbox.answer",
        "/w/{slug}/inbox/bulk/",
        make=lambda world, user: conversation(world),
        body=lambda values: {"ids": [str(values["conversation_id"])], "action": "done"},
        ok=302,
        done=lambda world, values: Conversation.objects.filter(pk=values["conversation_id"], state="done").exists(),
    ),
    Row(
        "inbox-figures",
        "get",
        "inbox.view",
        "/w/{slug}/inbox/figures/?days=7",
        make=lambda world, user: conversation(world),
        shows="acme-bsky",
    ),
    Row(
        "inbox-views",
        "post",
        "inbox.view",
        "/w/{slug}/inbox/views/",
        make=lambda world, user: {"name": f"view {world.n()}"},
        body=lambda values: {"view_name": values["name"], "query": "sentiment=negative"},
        ok=302,
        done=lambda world, values: SavedView.objects.filter(name=values["name"]).exists(),
    ),
    Row("inbox-presence", "get", "inbox.view", "/w/{slug}/inbox/{conversation_id}/presence/", make=lambda world, user: conversation(world)),
    Row(
        "inbox-react",
        "post",
        "inbox.answer",
        "/w/{slug}/inbox/{conversation_id}/items/{item_id}/react/",
        make=lambda world, user: conversation(world),
        body={"kind": "like"},
        ok=302,
        done=lambda world, values: Reaction.objects.filter(item_id=values["item_id"]).exists(),
    ),
    Row(
        "inbox-settings",
        "post",
        "workspace.manage",
        "/w/{slug}/inbox-settings/",
        make=lambda world, user: inbox_settings_off(world),
        body={"others_may_answer": "1"},
        ok=302,
        done=lambda world, values: InboxSettings.objects.filter(workspace=world.workspace, others_may_answer=True).exists(),
    ),
    # The API's own description.
    Row("openapi-json", "get", PUBLIC, "/api/v1/openapi.json", shows="/api/v1/workspaces", reason="the API's description: no data"),
    Row("openapi-view", "get", PUBLIC, "/api/v1/docs", shows="swagger", reason="the API's reference page: no data"),
    Row("api-root", "get", PUBLIC, "/api/v1/", ok=404, reason="a name for the API's root, so that its address can be built; answers 404"),
    # The conversation calendar: everyone reads who answers; changing it is changing the plan.
    Row("inbox-calendar", "get", "inbox.view", "/w/{slug}/inbox/calendar/", shows="Amira Haddad"),
    Row(
        "inbox-calendar",
        "post",
        "plan.edit",
        "/w/{slug}/inbox/calendar/",
        make=numbered,
        body=lambda v: {
            "channel": "acme-mastodon",
            "rows": "1",
            "person-0": "jonas",
            "days-0": ["tue", "thu"],
            "hours-0": f"08:{v['n'] % 60:02d}-17:00",
        },
        ok=302,
        done=revised,
    ),
    # Ambassadors: everyone who reads what was heard sees them; those who label it decide about them.
    Row("ambassadors", "get", "heard.view", "/w/{slug}/ambassadors/", make=lambda world, user: ambassador(world), shows="{handle}"),
    Row(
        "ambassadors",
        "get",
        "heard.view",
        "/w/{slug}/ambassadors/?platform=bluesky",
        make=lambda world, user: ambassador(world),
        htmx=True,
        shows="{handle}",
    ),
    Row("ambassadors-csv", "get", "heard.view", "/w/{slug}/ambassadors.csv", make=lambda world, user: ambassador(world), shows="{handle}"),
    Row(
        "ambassador",
        "get",
        "heard.view",
        "/w/{slug}/ambassadors/{ambassador_id}/",
        make=lambda world, user: ambassador(world),
        shows="{handle}",
    ),
    Row(
        "ambassador-confirm",
        "post",
        "heard.label",
        "/w/{slug}/ambassadors/{ambassador_id}/confirm/",
        make=lambda world, user: ambassador(world),
        ok=302,
        done=lambda world, values: ambassador_is(values, status="confirmed"),
    ),
    Row(
        "ambassador-dismiss",
        "post",
        "heard.label",
        "/w/{slug}/ambassadors/{ambassador_id}/dismiss/",
        make=lambda world, user: ambassador(world),
        ok=302,
        done=lambda world, values: ambassador_is(values, status="dismissed"),
    ),
    Row(
        "ambassador-tags",
        "post",
        "heard.label",
        "/w/{slug}/ambassadors/{ambassador_id}/tags/",
        make=lambda world, user: ambassador(world),
        body={"tags": "local, racer"},
        ok=302,
        done=lambda world, values: ambassador_is(values, tags=["local", "racer"]),
    ),
    Row(
        "ambassador-audience",
        "post",
        "heard.label",
        "/w/{slug}/ambassadors/{ambassador_id}/audience/",
        make=lambda world, user: ambassador(world),
        body={"audience": "owners"},
        ok=302,
        done=lambda world, values: ambassador_is(values, audience_id="owners", audience_chosen=True),
    ),
    # Short links: everyone in the workspace reads the clicks; owners turn short links on or off.
    Row("links", "get", "post.view", "/w/{slug}/links/", make=lambda world, user: short_link(world), shows="{url}"),
    Row("links-csv", "get", "post.view", "/w/{slug}/links.csv", make=lambda world, user: short_link(world), shows="{url}"),
    # Results: every member reads the KPIs and alignment.
    Row("kpis", "get", "report.view", "/w/{slug}/results/", shows="Social sends riders to the route planner"),
    Row(
        "links-settings",
        "post",
        "workspace.manage",
        "/w/{slug}/links/settings/",
        make=lambda world, user: shortening_on(world),
        body={},
        ok=302,
        done=lambda world, values: not shortening_is_on(world),
    ),
    Row(
        "short-link",
        "get",
        PUBLIC,
        "/l/{code}",
        make=lambda world, user: short_link(world),
        ok=302,
        done=lambda world, values: clicked(values),
        reason="a short link in a published post is for anyone who reads the post; it answers with the address it stands for",
    ),
    # Imports: everyone reads what was imported; analysts and those who plan import files.
    Row("imports", "get", "report.view", "/w/{slug}/imports/", make=lambda world, user: past_import(world), shows="{filename}"),
    Row(
        "imports",
        "post",
        "analytics.import",
        "/w/{slug}/imports/",
        make=numbered,
        body=lambda v: {"kind": "support", "file": support_upload(v), "confirm": "1"},
        done=lambda world, values: support_counted(world, values),
        label="import",
    ),
    # Reports: everyone in the workspace reads them, as a page, a PDF and JSON.
    Row("reports", "get", "report.view", "/w/{slug}/reports/", shows="Monthly reports"),
    Row(
        "report-monthly",
        "get",
        "report.view",
        "/w/{slug}/reports/monthly/{month}/",
        make=lambda world, user: report_month(),
        shows="Plan against actual",
    ),
    Row("report-monthly-pdf", "get", "report.view", "/w/{slug}/reports/monthly/{month}.pdf", make=lambda world, user: report_month()),
    Row(
        "report-monthly-json",
        "get",
        "report.view",
        "/w/{slug}/reports/monthly/{month}.json",
        make=lambda world, user: report_month(),
        shows='"objectives"',
    ),
    Row(
        "report-six-month",
        "get",
        "report.view",
        "/w/{slug}/reports/six-month/{month}/",
        make=lambda world, user: report_month(),
        shows="Summary for leaders",
    ),
    Row("report-six-month-pdf", "get", "report.view", "/w/{slug}/reports/six-month/{month}.pdf", make=lambda world, user: report_month()),
    Row(
        "report-six-month-json",
        "get",
        "report.view",
        "/w/{slug}/reports/six-month/{month}.json",
        make=lambda world, user: report_month(),
        shows='"objectives"',
    ),
    # Proposals and advice: everyone reads proposed plan changes; those who edit the plan answer them and propose the advice's.
    Row("proposals", "get", PLAN, "/w/{slug}/proposals/", make=lambda world, user: proposal(world), shows="{summary}"),
    Row("proposal", "get", PLAN, "/w/{slug}/proposals/{proposal_id}/", make=lambda world, user: proposal(world), shows="{summary}"),
    Row(
        "proposal-accept",
        "post",
        "plan.edit",
        "/w/{slug}/proposals/{proposal_id}/accept/",
        make=lambda world, user: proposal(world),
        ok=302,
        done=lambda world, values: proposal_is(values, "accepted"),
    ),
    Row(
        "proposal-decline",
        "post",
        "plan.edit",
        "/w/{slug}/proposals/{proposal_id}/decline/",
        make=lambda world, user: proposal(world),
        ok=302,
        done=lambda world, values: proposal_is(values, "declined"),
    ),
    Row(
        "advice-propose",
        "post",
        "plan.edit",
        "/w/{slug}/advice/propose/",
        make=lambda world, user: drifting_month(world),
        body=lambda v: {"month": v["month"], "kind": "monthly", "key": "mix-drift:all"},
        ok=302,
        done=lambda world, values: advice_proposed(world, values),
    ),
]

API = [
    Row(
        "GET /api/v1/workspaces",
        "get",
        SIGNED_IN,
        make=lambda world, user: {"own": own_workspace(user).slug},
        shows='"slug": "{own}"',
    ),
    Row(
        "POST /api/v1/workspaces",
        "post",
        SIGNED_IN,
        make=numbered,
        body=lambda v: {"name": f"Club {v['n']}", "slug": f"club-{v['n']}"},
        ok=201,
        done=made_workspace,
    ),
    Row(
        "POST /api/v1/plan/check",
        "post",
        PUBLIC,
        body=lambda v: demo_plan_text(),
        content_type="application/yaml",
        shows="score",
        reason="checks a plan file sent with the request and stores nothing, like `strata plan check`",
    ),
    Row("GET /api/v1/workspaces/{slug}/members", "get", "members.view", shows="owner@acme.example"),
    Row(
        "POST /api/v1/workspaces/{slug}/members",
        "post",
        "members.manage",
        make=numbered,
        body=lambda v: {"email": f"new{v['n']}@example.org", "role": "analyst"},
        ok=201,
        done=invited,
    ),
    Row("GET /api/v1/workspaces/{slug}/invitations", "get", "members.manage", make=waiting_invitation, shows="{email}"),
    Row(
        "POST /api/v1/workspaces/{slug}/invitations/{invitation_id}/resend",
        "post",
        "members.manage",
        make=waiting_invitation,
        done=resent,
    ),
    Row(
        "DELETE /api/v1/workspaces/{slug}/invitations/{invitation_id}",
        "delete",
        "members.manage",
        make=waiting_invitation,
        ok=204,
        done=cancelled,
    ),
    Row(
        "PATCH /api/v1/workspaces/{slug}/members/{member_id}",
        "patch",
        "members.manage",
        make=lambda world, user: world.member(),
        body={"role": "editor"},
        done=member_role("editor"),
    ),
    Row(
        "DELETE /api/v1/workspaces/{slug}/members/{member_id}",
        "delete",
        "members.manage",
        make=lambda world, user: world.member(),
        ok=204,
        done=member_gone,
    ),
    Row("GET /api/v1/workspaces/{slug}/plan", "get", PLAN, shows="Acme Bikes"),
    Row(
        "PUT /api/v1/workspaces/{slug}/plan",
        "put",
        "plan.edit",
        body=lambda v: demo_plan_text(),
        content_type="application/yaml",
        done=revised,
    ),
    Row("GET /api/v1/workspaces/{slug}/plan.yaml", "get", PLAN, shows="Acme Bikes"),
    Row("GET /api/v1/workspaces/{slug}/review", "get", PLAN, shows="score"),
    Row("GET /api/v1/workspaces/{slug}/plan/revisions", "get", PLAN, shows="import"),
    Row("GET /api/v1/workspaces/{slug}/plan/{kind}", "get", PLAN, make=lambda world, user: {"kind": "channels"}, shows="acme-bsky"),
    Row(
        "POST /api/v1/workspaces/{slug}/plan/{kind}",
        "post",
        "plan.edit",
        make=lambda world, user: {"kind": "goals", "n": world.n()},
        body=lambda v: {"id": f"goal-{v['n']}", "statement": f"Goal {v['n']}"},
        ok=201,
        done=goal_added,
    ),
    Row(
        "GET /api/v1/workspaces/{slug}/plan/{kind}/{element_id}",
        "get",
        PLAN,
        make=lambda world, user: {"kind": "channels", "element_id": "acme-bsky"},
        shows="bluesky",
    ),
    Row(
        "PUT /api/v1/workspaces/{slug}/plan/{kind}/{element_id}",
        "put",
        "plan.edit",
        make=lambda world, user: {"kind": "goals", "element_id": "grow-eu", "n": world.n()},
        body=lambda v: {"id": "grow-eu", "statement": f"Grow EU revenue {v['n']} %"},
        done=goal_renamed,
    ),
    Row(
        "DELETE /api/v1/workspaces/{slug}/plan/{kind}/{element_id}",
        "delete",
        "plan.edit",
        make=lambda world, user: world.pillar(),
        ok=204,
        done=pillar_gone,
    ),
    Row("GET /api/v1/workspaces/{slug}/posts", "get", "post.view", make=post_in("draft"), shows="{text}"),
    Row(
        "POST /api/v1/workspaces/{slug}/posts",
        "post",
        "post.write",
        make=numbered,
        body=lambda v: {"variants": [{"channel": "acme-bsky", "text": f"Acme new {v['n']}"}], "objective": "eu-awareness"},
        ok=201,
        done=new_post_saved,
    ),
    Row("GET /api/v1/workspaces/{slug}/posts/{post_id}", "get", "post.view", make=post_in("draft"), shows="{text}"),
    Row(
        "POST /api/v1/workspaces/{slug}/posts/{post_id}/submit",
        "post",
        "post.write",
        make=post_in("draft"),
        done=state_is("in_review"),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/posts/{post_id}/approve",
        "post",
        "post.approve",
        make=post_in("in_review"),
        done=state_is("approved"),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/posts/{post_id}/schedule",
        "post",
        "post.schedule",
        make=post_in("approved"),
        body=lambda v: {"at": later(3)},
        done=state_is("scheduled"),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/posts/{post_id}/variants/{channel_id}/outcome",
        "post",
        "post.schedule",
        make=lambda world, user: {**world.post("unconfirmed"), "channel_id": "acme-bsky"},
        body={"went_out": False},
        done=variant_is("failed"),
    ),
    Row("DELETE /api/v1/workspaces/{slug}/posts/{post_id}", "delete", "post.write", make=post_in("scheduled"), ok=204, done=deleted),
    Row("POST /api/v1/workspaces/{slug}/posts/{post_id}/duplicate", "post", "post.write", make=post_in("draft"), ok=201, done=copied),
    Row(
        "PUT /api/v1/workspaces/{slug}/channels/{channel_id}/connection",
        "put",
        "channel.connect",
        make=lambda world, user: world.disconnect_feed(),
        body={"service": FEED_SERVICE, "handle": "feed"},
        ok=204,
        done=feed_connected,
    ),
    Row("GET /api/v1/workspaces/{slug}/heard", "get", "heard.view", make=lambda world, user: heard_item(world), shows="{text}"),
    Row("GET /api/v1/workspaces/{slug}/heard/{item_id}", "get", "heard.view", make=lambda world, user: heard_item(world), shows="{text}"),
    Row(
        "POST /api/v1/workspaces/{slug}/heard/{item_id}/labels",
        "post",
        "heard.label",
        make=lambda world, user: heard_item(world),
        body={"sentiment": "negative", "intents": ["complaint"]},
        done=lambda world, values: HeardItem.objects.filter(pk=values["item_id"], corrected_sentiment="negative").exists(),
    ),
    # KPIs and alignment: every member reads them.
    Row("GET /api/v1/workspaces/{slug}/kpis", "get", "report.view", shows='"objective": "site-traffic"'),
    Row(
        "GET /api/v1/workspaces/{slug}/kpis/{objective_id}",
        "get",
        "report.view",
        make=lambda world, user: {"objective_id": "site-traffic"},
        shows='"measure": "visits"',
    ),
    Row("GET /api/v1/workspaces/{slug}/alignment", "get", "report.view", shows='"serving_share"'),
    Row("GET /api/v1/workspaces/{slug}/inbox", "get", "inbox.view", make=lambda world, user: conversation(world), shows="{author}"),
    Row(
        "GET /api/v1/workspaces/{slug}/inbox/figures",
        "get",
        "inbox.view",
        make=lambda world, user: conversation(world),
        shows='"by": "channel"',
    ),
    Row(
        "GET /api/v1/workspaces/{slug}/inbox/{conversation_id}",
        "get",
        "inbox.view",
        make=lambda world, user: conversation(world),
        shows="{text}",
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/inbox/{conversation_id}/reply",
        "post",
        "inbox.answer",
        make=lambda world, user: conversation(world),
        body={"text": "Sorry to hear it: could you send us a direct message?"},
        done=lambda world, values: Answer.objects.filter(conversation_id=values["conversation_id"]).exists(),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/inbox/{conversation_id}/assign",
        "post",
        "inbox.answer",
        make=lambda world, user: conversation(world),
        body={"assignee": "jonas"},
        done=lambda world, values: Conversation.objects.filter(pk=values["conversation_id"], assignee="jonas").exists(),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/inbox/{conversation_id}/state",
        "post",
        "inbox.answer",
        make=lambda world, user: conversation(world),
        body={"state": "done"},
        done=lambda world, values: Conversation.objects.filter(pk=values["conversation_id"], state="done").exists(),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/inbox/{conversation_id}/notes",
        "post",
        "inbox.answer",
        make=lambda world, user: conversation(world),
        body={"text": "Checking the brake batch"},
        done=lambda world, values: Note.objects.filter(conversation_id=values["conversation_id"]).exists(),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/listening/test",
        "post",
        "plan.view",
        body={"query": '"spring ride" OR #acmebikes', "text": "A spring ride with #AcmeBikes"},
        shows='"matches": true',
    ),
    Row("GET /api/v1/workspaces/{slug}/ambassadors", "get", "heard.view", make=lambda world, user: ambassador(world), shows="{handle}"),
    Row(
        "GET /api/v1/workspaces/{slug}/ambassadors/{ambassador_id}",
        "get",
        "heard.view",
        make=lambda world, user: ambassador(world),
        shows="{handle}",
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/ambassadors/{ambassador_id}/confirm",
        "post",
        "heard.label",
        make=lambda world, user: ambassador(world),
        done=lambda world, values: ambassador_is(values, status="confirmed"),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/ambassadors/{ambassador_id}/dismiss",
        "post",
        "heard.label",
        make=lambda world, user: ambassador(world),
        done=lambda world, values: ambassador_is(values, status="dismissed"),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/ambassadors/{ambassador_id}/tags",
        "post",
        "heard.label",
        make=lambda world, user: ambassador(world),
        body={"tags": ["local", "racer"]},
        done=lambda world, values: ambassador_is(values, tags=["local", "racer"]),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/ambassadors/{ambassador_id}/audience",
        "post",
        "heard.label",
        make=lambda world, user: ambassador(world),
        body={"audience": "owners"},
        done=lambda world, values: ambassador_is(values, audience_id="owners", audience_chosen=True),
    ),
    # Imports
    Row("GET /api/v1/workspaces/{slug}/imports", "get", "report.view", make=lambda world, user: past_import(world), shows="{filename}"),
    Row(
        "POST /api/v1/workspaces/{slug}/imports",
        "post",
        "analytics.import",
        make=numbered,
        body=lambda v: support_multipart(v),
        content_type="multipart/form-data; boundary=StrataImportsBoundary",  # the body is encoded by support_multipart
        done=lambda world, values: support_counted(world, values),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/support-counts",
        "post",
        "analytics.import",
        make=numbered,
        body=lambda v: json.dumps([{"date": matrix_day(v).isoformat(), "inquiries": 7, "channel": f"matrix{v['n']}"}]),
        done=lambda world, values: support_counted(world, values),
    ),
    # Proposals and advice
    Row("GET /api/v1/workspaces/{slug}/proposals", "get", PLAN, make=lambda world, user: proposal(world), shows="{summary}"),
    Row("GET /api/v1/workspaces/{slug}/proposals/{proposal_id}", "get", PLAN, make=lambda world, user: proposal(world), shows="{summary}"),
    Row(
        "POST /api/v1/workspaces/{slug}/proposals/{proposal_id}/accept",
        "post",
        "plan.edit",
        make=lambda world, user: proposal(world),
        done=lambda world, values: proposal_is(values, "accepted"),
    ),
    Row(
        "POST /api/v1/workspaces/{slug}/proposals/{proposal_id}/decline",
        "post",
        "plan.edit",
        make=lambda world, user: proposal(world),
        done=lambda world, values: proposal_is(values, "declined"),
    ),
    # Reports
    Row(
        "GET /api/v1/workspaces/{slug}/reports/monthly/{month}",
        "get",
        "report.view",
        make=lambda world, user: report_month(),
        shows='"objectives"',
    ),
    Row(
        "GET /api/v1/workspaces/{slug}/reports/six-month/{month}",
        "get",
        "report.view",
        make=lambda world, user: report_month(),
        shows='"objectives"',
    ),
]

ROWS = PAGES + API


def heard_item(world: World) -> Values:
    """Something a stranger said to the brand, heard on its Bluesky channel."""
    n = world.n()
    text = f"Where is my order {n}?"
    item = HeardItem.objects.create(
        workspace=world.workspace,
        platform="bluesky",
        channel_id="acme-bsky",
        remote_id=f"at://did:plc:fan/app.bsky.feed.post/{n}",
        kind="reply",
        author_id="did:plc:fan",
        author_handle="fan.test",
        text=text,
        created_at=now(),
    )
    return {"item_id": item.pk, "text": text}


def conversation(world: World) -> Values:
    """A complaint to the brand's Bluesky channel, filed in the inbox. The channel counts as
    connected (to an address nothing is sent to: the matrix never runs the publisher)."""
    if not ChannelAccount.objects.filter(workspace=world.workspace, channel_id="acme-bsky").exists():
        ChannelAccount.objects.create(
            workspace=world.workspace,
            channel_id="acme-bsky",
            platform="bluesky",
            service="https://pds.invalid",
            handle="acme.bsky.social",
            secret=crypto.encrypt("app-password"),
            remote_account="did:plc:acme",
        )
    n = world.n()
    source, _ = Source.objects.get_or_create(
        workspace=world.workspace, channel_id="acme-bsky", kind="notifications", defaults={"platform": "bluesky"}
    )
    text = f"My order {n} never came"
    item = HeardItem.objects.create(
        workspace=world.workspace,
        source=source,
        platform="bluesky",
        channel_id="acme-bsky",
        remote_id=f"at://did:plc:fan{n}/app.bsky.feed.post/{n}",
        kind="reply",
        author_id=f"did:plc:fan{n}",
        author_handle=f"fan{n}.test",
        text=text,
        sentiment="negative",
        created_at=now(),
    )
    filing.file_unfiled()
    found = Conversation.objects.get(workspace=world.workspace, author_id=f"did:plc:fan{n}")
    return {"conversation_id": found.pk, "item_id": item.pk, "text": text, "author": f"fan{n}.test"}


def inbox_settings_off(world: World) -> Values:
    InboxSettings.objects.update_or_create(workspace=world.workspace, defaults={"others_may_answer": False})
    return {}


def heard_matched(world: World) -> Values:
    """The same, matched by the plan's brand listening query when it was stored."""
    values = heard_item(world)
    item = HeardItem.objects.get(pk=values["item_id"])
    item.set_matched(["brand-mentions"])
    item.save(update_fields=["matched_queries", "matched_key"])
    return values


def own_workspace(user: User) -> Workspace:
    membership = Membership.objects.filter(user=user).select_related("workspace").first()
    assert membership is not None
    return membership.workspace


def ambassador(world: World) -> Values:
    """Someone who quoted the brand warmly three times this week, scored as a candidate."""
    from strata.engagement.ambassadors import refresh

    n = world.n()
    for k in range(3):
        item = HeardItem(
            workspace=world.workspace,
            platform="bluesky",
            channel_id="acme-bsky",
            remote_id=f"at://did:plc:amb{n}/app.bsky.feed.post/{k}",
            kind="quote",
            author_id=f"did:plc:amb{n}",
            author_handle=f"amb{n}.test",
            text=f"Best commuter bikes in town {n}",
            sentiment="positive",
            created_at=now(),
        )
        item.refresh_shown()
        item.save()
    refresh.refresh(world.workspace)
    return {"ambassador_id": world.workspace.ambassadors.get(author_id=f"did:plc:amb{n}").pk, "handle": f"amb{n}.test"}


def ambassador_is(values: Values, **expected: Any) -> bool:
    from strata.engagement.ambassadors.models import Ambassador

    return Ambassador.objects.filter(pk=values["ambassador_id"], **expected).exists()


def short_link(world: World) -> Values:
    """A short link of acme's, clicked once today (the page and the CSV list it)."""
    from strata.analytics.links.codes import new_code
    from strata.analytics.links.models import ClickDay, ShortLink

    url = f"https://acme.example/route-{world.n()}"
    link = ShortLink.objects.create(workspace=world.workspace, code=new_code(), platform="bluesky", url=url, url_hash=url, target=url)
    ClickDay.objects.create(link=link, day=now().date(), clicks=1, visitors=1)
    return {"code": link.code, "url": url, "link_id": link.pk}


def clicked(values: Values) -> bool:
    """The redirect counted the request (as a bot: the test client sends no user agent)."""
    from strata.analytics.links.models import ClickDay

    return ClickDay.objects.filter(link_id=values["link_id"], bots=1).exists()


def shortening_on(world: World) -> Values:
    from strata.analytics.links.models import LinkSettings

    LinkSettings.objects.update_or_create(workspace=world.workspace, defaults={"shorten": True})
    return {}


def shortening_is_on(world: World) -> bool:
    from strata.analytics.links.models import LinkSettings

    return LinkSettings.objects.get(workspace=world.workspace).shorten


def five_days_on() -> dt.date:
    """A day five days on in the demo workspace's zone, where the calendar's days are (late in
    the UTC evening, Berlin's date is already the next one)."""
    return (now().astimezone(ZoneInfo("Europe/Berlin")) + dt.timedelta(days=5)).date()


def moved_to(post_id: int, workspace: Workspace) -> dt.date | None:
    scheduled = Post.objects.get(pk=post_id).scheduled_at
    return scheduled.astimezone(ZoneInfo(workspace.timezone)).date() if scheduled else None


# Imports


def past_import(world: World) -> Values:
    from strata.analytics.imports.models import AnalyticsImport

    filename = f"acme-ga4-{world.n()}.csv"
    AnalyticsImport.objects.create(workspace=world.workspace, kind="ga4", filename=filename, rows=3)
    return {"filename": filename}


def matrix_day(values: Values) -> dt.date:
    return dt.date(2025, 1, 1) + dt.timedelta(days=values["n"])


def support_upload(values: Values) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = f"date,inquiries,channel\n{matrix_day(values).isoformat()},7,matrix{values['n']}\n"
    return SimpleUploadedFile("support.csv", text.encode(), content_type="text/csv")


def support_multipart(values: Values) -> bytes:
    """The API row's body as bytes: Django's test client encodes a dict as multipart only for
    its own MULTIPART_CONTENT, and the matrix sends an API row's content type as it is."""
    from django.test.client import encode_multipart

    return encode_multipart("StrataImportsBoundary", {"kind": "support", "file": support_upload(values)})


def support_counted(world: World, values: Values) -> bool:
    from strata.analytics.imports.models import SupportCount

    return SupportCount.objects.filter(workspace=world.workspace, day=matrix_day(values), channel=f"matrix{values['n']}").exists()


# Proposals and advice


def proposal(world: World) -> Values:
    """An open proposal against acme's plan as it is now: acme-mastodon's effort set to a new number."""
    from strata.strategy import proposals
    from strata.strategy.store import current_plan

    n = world.n()
    plan = current_plan(world.workspace).plan.model_copy(deep=True)
    next(c for c in plan.channels if c.id == "acme-mastodon").effort_hours_per_week = 100 + n
    summary = f"Set acme-mastodon to {100 + n} hours"
    found = proposals.propose(world.workspace, key=f"matrix-{n}", plan=plan, summary=summary, reason="the matrix says so", evidence={})
    return {"proposal_id": found.pk, "summary": summary}


def proposal_is(values: Values, state: str) -> bool:
    from strata.strategy.models import PlanProposal

    return PlanProposal.objects.filter(pk=values["proposal_id"], state=state).exists()


def drifting_month(world: World) -> Values:
    """A month of its own (from 2020 on) in which every post on acme-bsky and acme-help was
    promotional: its report advises the mix the team keeps, a plan change to propose."""
    n = world.n()
    first = dt.date(2020 + n // 12, n % 12 + 1, 1)
    for channel_id in ("acme-bsky", "acme-help"):
        for day in range(8):
            post = Post.objects.create(workspace=world.workspace, title=f"Offer {n}-{day}", state=Post.State.PUBLISHED, kind="promotional")
            Variant.objects.create(
                post=post,
                channel_id=channel_id,
                platform="bluesky",
                text=f"Offer {n}-{day}",
                keys=[f"matrix-{n}-{channel_id}-{day}"],
                state=Variant.State.PUBLISHED,
                published_at=dt.datetime.combine(first + dt.timedelta(days=day), dt.time(12), ZoneInfo("Europe/Berlin")),
            )
    return {"month": f"{first:%Y-%m}"}


def advice_proposed(world: World, values: Values) -> bool:
    from strata.strategy.models import PlanProposal

    return PlanProposal.objects.filter(workspace=world.workspace, key=f"advice:{values['month']}:mix-drift:all").exists()


def report_month() -> Values:
    """The month just over (a report of a month not begun is a 404)."""
    first = now().date().replace(day=1)
    return {"month": f"{first - dt.timedelta(days=1):%Y-%m}"}
