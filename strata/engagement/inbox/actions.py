"""Every write of the inbox: views, API and CLI call these."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.timezone import now

from strata import crypto
from strata.accounts.actions import ActionError
from strata.accounts.models import User, Workspace
from strata.accounts.roles import Role
from strata.accounts.scoping import Access, Forbidden, workspace_access
from strata.engagement.inbox import filing, queue
from strata.engagement.inbox.models import Answer, Conversation, ConversationEvent, InboxSettings, Note, Reaction, SavedView
from strata.engagement.models import HeardItem
from strata.platforms import egress
from strata.platforms.base import PermanentError, PlatformError
from strata.platforms.bluesky.tid import make_tid
from strata.platforms.registry import adapter_for
from strata.publishing import actions as publishing
from strata.publishing.models import ChannelAccount
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.store import current_plan

MAX_NOTE = 5000
MAX_CONTACT = 300
STATES = tuple(Conversation.State.values)


def answer(*, conversation: Conversation, actor: User | None, text: str, done: bool = False, direct: bool = False) -> Answer:
    """Answer the newest thing they said, as a threaded reply on its platform, sent exactly once
    by publishing's delivery; `direct`: privately, as a direct message where the platform has
    them (taking the conversation offline). The clock stops now: the answer is on its way."""
    text = text.strip()
    if not text:
        raise ActionError("write the answer first", field="text")
    item = newest_said(conversation)
    if item is None:
        raise ActionError("there is nothing of theirs to answer in this conversation", field="text")
    if direct:
        # A Mastodon direct message reaches only the accounts it mentions.
        mention = "@" + conversation.author_handle.lstrip("@")
        if mention.lower() not in text.lower():
            text = f"{mention} {text}"
    with transaction.atomic():
        variant = publishing.create_reply(
            workspace=conversation.workspace,
            actor=actor,
            channel_id=conversation.channel_id,
            text=text,
            reply_to=item.remote_id,
            direct=direct,
        )
        sent = Answer.objects.create(conversation=conversation, item=item, variant=variant, author=actor)
        conversation.state = Conversation.State.DONE if done else Conversation.State.WAITING
        filing.mark_answered(conversation, now(), by_whom=f"by {_name(actor)}")
    return sent


def newest_said(conversation: Conversation) -> HeardItem | None:
    return conversation.items.filter(deleted_at__isnull=True).order_by("-heard_at", "-pk").first()


def assign(*, conversation: Conversation, actor: User | None, person: str) -> Conversation:
    plan = current_plan(conversation.workspace).plan
    if person and person not in {p.id for p in plan.people}:
        raise ActionError(f"'{person[:40]}' is not a person of the plan: one of {', '.join(p.id for p in plan.people)}", field="assignee")
    if person != conversation.assignee:
        conversation.assignee = person
        conversation.save(update_fields=["assignee", "updated_at"])
        _event(conversation, actor, "assigned", f"Assigned to {person}" if person else "Unassigned")
    return conversation


def set_state(*, conversation: Conversation, actor: User | None, state: str) -> Conversation:
    if state not in STATES:
        raise ActionError(f"'{state[:40]}' is not a state: one of {', '.join(STATES)}", field="state")
    if state == Conversation.State.OFFLINE:
        raise ActionError("taking a conversation offline needs the contact they gave: use 'take offline'", field="state")
    if state != conversation.state:
        conversation.state = state
        conversation.save(update_fields=["state", "updated_at"])
        _event(conversation, actor, "state", f"Marked {Conversation.State(state).label}")
    return conversation


def take_offline(*, conversation: Conversation, actor: User | None, contact: str, follow_up_at: dt.datetime | None) -> Conversation:
    """Out of the public queue: the private contact they gave is kept encrypted, and the
    conversation comes back on its follow-up date. The public thread keeps the brand's answer."""
    contact = contact.strip()
    if not contact:
        raise ActionError("give the e-mail address or phone number they sent", field="contact")
    if len(contact) > MAX_CONTACT or not _looks_like_contact(contact):
        raise ActionError("expected an e-mail address (name@example.com) or a phone number (+49 30 1234567)", field="contact")
    if follow_up_at is not None and follow_up_at < now():
        raise ActionError("the follow-up date has passed: choose a later one", field="follow_up_at")
    conversation.set_contact(contact)
    conversation.follow_up_at = follow_up_at
    conversation.state = Conversation.State.OFFLINE
    conversation.save(update_fields=["contact", "follow_up_at", "state", "updated_at"])
    _event(conversation, actor, "offline", "Taken offline" + (f"; follow up on {follow_up_at:%Y-%m-%d}" if follow_up_at else ""))
    return conversation


def _looks_like_contact(text: str) -> bool:
    return bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) or re.fullmatch(r"\+?[0-9][0-9 ()./-]{5,30}", text))


def add_note(*, conversation: Conversation, actor: User | None, text: str) -> Note:
    """An internal note; @name mentions of members (the part of their e-mail address before the
    @, or their first name) are kept, so that they find it."""
    text = text.strip()
    if not text:
        raise ActionError("write the note first", field="note")
    if len(text) > MAX_NOTE:
        raise ActionError(f"a note may be at most {MAX_NOTE} characters", field="note")
    members = User.objects.filter(memberships__workspace=conversation.workspace)
    named = {m.lower() for m in re.findall(r"(?<![\w@])@([\w.+-]+)", text)}
    mentions = [u.pk for u in members if {u.email.split("@")[0].lower(), (u.name.split() or [""])[0].lower()} & named]
    note = Note.objects.create(conversation=conversation, author=actor, text=text, mentions=mentions)
    _event(conversation, actor, "note", "Added a note")
    return note


def member_person(plan: PlanDocument, user: User) -> str | None:
    """The plan's person who is this member, by e-mail address."""
    email = user.email.lower()
    return next((p.id for p in plan.people if p.email and p.email.lower() == email), None)


def _event(conversation: Conversation, actor: User | None, kind: str, text: str) -> None:
    ConversationEvent.objects.create(conversation=conversation, actor=actor, kind=kind, text=text)


def _name(user: User | None) -> str:
    return "Strata" if user is None else str(user)


def inbox_settings(workspace: Workspace) -> InboxSettings:
    found, _ = InboxSettings.objects.get_or_create(workspace=workspace)
    return found


def save_settings(*, workspace: Workspace, others_may_answer: bool, alert_webhook: str, alert_secret: str | None) -> InboxSettings:
    """`alert_secret` None keeps the secret there is; a webhook needs one to sign with."""
    config = inbox_settings(workspace)
    alert_webhook = alert_webhook.strip()
    if alert_webhook:
        if not alert_webhook.startswith(("https://", "http://")) or len(alert_webhook) > 1000:
            raise ActionError("the alert webhook must be an http(s) address", field="alert_webhook")
        try:
            egress.check_service(alert_webhook)
        except ValueError as exc:
            raise ActionError(f"the alert webhook's address: {exc}", field="alert_webhook") from None
        except egress.EgressRefused:
            raise ActionError(
                "the alert webhook points inside the network Strata runs in; use a public address", field="alert_webhook"
            ) from None
    if alert_secret is not None:
        config.alert_secret = crypto.encrypt(alert_secret) if alert_secret else ""
    if alert_webhook and not config.alert_secret:
        raise ActionError("give a signing secret, so that the receiver can tell the alerts are Strata's", field="alert_secret")
    config.others_may_answer, config.alert_webhook = others_may_answer, alert_webhook
    config.save()
    return config


def may_answer(access: Access) -> bool:
    """Responders and above; editors and creatives too where the workspace lets them."""
    if access.may("inbox.answer"):
        return True
    others = access.membership.role in (Role.EDITOR, Role.CREATIVE)
    return others and InboxSettings.objects.filter(workspace=access.workspace, others_may_answer=True).exists()


def answer_access(user: User, slug: str) -> Access:
    """The asker's access to answer the inbox of `slug`: 404 outside it, 403 without the right."""
    access = workspace_access(user, slug, "inbox.view")
    if not may_answer(access):
        raise Forbidden("inbox.answer", access.membership.role)
    return access


REACTIONS = ("like", "repost")


def react(*, item: HeardItem, actor: User | None, kind: str) -> Reaction:
    """Like or repost what they said, as the brand, once: the key is stored before the platform
    is called, and a retry with it makes the same act. A failure is kept on the row, shown, and
    tried again on the next click."""
    if kind not in REACTIONS:
        raise ActionError(f"'{kind[:20]}' is not a reaction: like or repost", field="kind")
    if item.conversation_id is None or item.deleted_at is not None:
        raise ActionError("only what someone said to the brand, and not deleted, can be liked or reposted", field="kind")
    account = ChannelAccount.objects.filter(workspace_id=item.workspace_id, channel_id=item.channel_id).first()
    if account is None:
        raise ActionError(f"{item.channel_id} is not connected; connect it on the Connections page", field="kind")
    with transaction.atomic():
        reaction, _ = Reaction.objects.get_or_create(item=item, kind=kind, defaults={"key": make_tid(), "by": actor})
    if reaction.remote_id:
        return reaction
    adapter = adapter_for(item.platform)
    try:
        if adapter is None:
            raise PermanentError(f"{item.platform} has no likes or reposts")
        reaction.remote_id, reaction.error = adapter.react(account.credentials(), item.remote_id, kind, reaction.key), ""
    except PlatformError as exc:
        reaction.error = exc.message
    reaction.save(update_fields=["remote_id", "error"])
    if reaction.remote_id:
        _event(Conversation.objects.get(pk=item.conversation_id), actor, kind, f"{'Liked' if kind == 'like' else 'Reposted'} their post")
    return reaction


BULK_LIMIT = 200


LABEL = re.compile(r"[\w][\w .&'-]{0,39}")


def add_label(*, conversation: Conversation, actor: User | None, label: str) -> Conversation:
    """A word of the team's own on the conversation ("refund", "press"), to find it again."""
    label = " ".join(label.split()).lower()
    if not LABEL.fullmatch(label) or "," in label:
        raise ActionError("a label is a word or a few (letters, digits, spaces, - & '), at most 40 characters", field="label")
    if label not in conversation.labels:
        if len(conversation.labels) >= 20:
            raise ActionError("a conversation may have at most 20 labels", field="label")
        conversation.labels = [*conversation.labels, label]
        conversation.labels_key = "," + ",".join(conversation.labels) + ","
        conversation.save(update_fields=["labels", "labels_key", "updated_at"])
        _event(conversation, actor, "label", f"Labelled “{label}”")
    return conversation


def bulk(
    *,
    workspace: Workspace,
    actor: User | None,
    ids: list[int],
    assignee: str | None = None,
    state: str | None = None,
    label: str | None = None,
) -> int:
    """Assign or change the state of several conversations at once; each one as if done alone
    (its history says so). All or nothing: one refusal changes none. The number changed."""
    if not ids:
        raise ActionError("choose the conversations first", field="ids")
    if len(ids) > BULK_LIMIT:
        raise ActionError(f"at most {BULK_LIMIT} conversations at once", field="ids")
    if assignee is None and state is None and label is None:
        raise ActionError("choose what to do with them: assign, label, or a state", field="action")
    chosen = list(Conversation.objects.filter(workspace=workspace, pk__in=ids))
    if len(chosen) != len(set(ids)):
        raise ActionError("some of the chosen conversations are not in this workspace's inbox", field="ids")
    with transaction.atomic():
        for conversation in chosen:
            if assignee is not None:
                assign(conversation=conversation, actor=actor, person=assignee)
            if state is not None:
                set_state(conversation=conversation, actor=actor, state=state)
            if label is not None:
                add_label(conversation=conversation, actor=actor, label=label)
    return len(chosen)


MAX_VIEWS = 30


def save_view(*, workspace: Workspace, user: User, name: str, query: str) -> SavedView:
    """Keep the inbox's current filters under a name, for this member; the same name replaces."""
    name = " ".join(name.split())
    if not name:
        raise ActionError("give the view a name", field="view_name")
    if len(name) > 60:
        raise ActionError("a view's name may be at most 60 characters", field="view_name")
    chosen: dict[str, str] = {k: str(v) for k, v in QueryDict(query).items() if k in queue.FIELDS and v}
    if not chosen:
        raise ActionError("choose some filters first: this view is the inbox as it opens", field="view_name")
    mine = SavedView.objects.filter(workspace=workspace, user=user)
    if not mine.filter(name=name).exists() and mine.count() >= MAX_VIEWS:
        raise ActionError(f"you have {MAX_VIEWS} saved views: delete one first", field="view_name")
    view, _ = SavedView.objects.update_or_create(workspace=workspace, user=user, name=name, defaults={"query": urlencode(chosen)})
    return view


def delete_view(*, workspace: Workspace, user: User, view_id: int) -> None:
    SavedView.objects.filter(workspace=workspace, user=user, pk=view_id).delete()
