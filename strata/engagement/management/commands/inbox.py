"""strata inbox list --workspace SLUG [--state …] [--format json] |
strata inbox reply --workspace SLUG --item ID --text TEXT"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.engagement.inbox import actions, filing, queue
from strata.engagement.inbox.models import Conversation
from strata.publishing.models import Variant
from strata.strategy.store import current_plan

POLL = 0.5


class Command(BaseCommand):
    help = "List the inbox's conversations and answer them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,reply}")
        listing = sub.add_parser("list", help="the conversations, due first (as the inbox page shows them)")
        listing.add_argument("--workspace", required=True)
        listing.add_argument("--state", choices=queue.STATE_CHOICES, default=queue.QUEUE, help="default: new and open")
        listing.add_argument("--sla", choices=queue.SLA_CHOICES, default="")
        listing.add_argument("--channel", default="")
        listing.add_argument("--topic", default="", help="a listening topic of the plan")
        listing.add_argument("--assignee", default="", help="a person id of the plan, or 'nobody'")
        listing.add_argument("--format", choices=["text", "json"], default="text")
        reply = sub.add_parser("reply", help="answer a conversation in its thread; prints the reply's platform id once sent")
        reply.add_argument("--workspace", required=True)
        reply.add_argument("--item", required=True, type=int, help="the conversation's id, as `strata inbox list` shows it")
        reply.add_argument("--text", required=True)
        reply.add_argument("--done", action="store_true", help="mark the conversation done once answered")
        reply.add_argument(
            "--wait", type=float, default=60.0, help="seconds to wait for the publisher to send it (default 60; 0: do not wait)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace '{options['workspace']}'")
        if options["action"] == "list":
            self.list(workspace, options)
        else:
            self.reply(workspace, options)

    def list(self, workspace: Workspace, options: dict[str, Any]) -> None:
        plan = current_plan(workspace).plan
        params = {
            "state": options["state"],
            "sla": options["sla"],
            "channel": options["channel"],
            "topic": options["topic"],
            "assignee": options["assignee"],
        }
        chosen = queue.filter_for(plan, params, None)
        if chosen.errors:
            raise CommandError(chosen.errors[0])
        rows = [_row(c) for c in queue.conversations(workspace, chosen)[:1000]]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        for row in rows:
            due = row["due_at"] or "-"
            self.stdout.write(f"{row['id']:>6}  {row['state']:8}  {row['sla']:22}  {due:25}  {row['channel']:16}  {row['author']}")

    def reply(self, workspace: Workspace, options: dict[str, Any]) -> None:
        conversation = Conversation.objects.filter(workspace=workspace, pk=options["item"]).first()
        if conversation is None:
            raise CommandError(f"no conversation {options['item']} in '{workspace.slug}' (see `strata inbox list`)")
        try:
            answer = actions.answer(conversation=conversation, actor=None, text=options["text"], done=options["done"])
        except ActionError as exc:
            raise CommandError(exc.message) from None
        deadline = time.monotonic() + max(0.0, options["wait"])
        variant = answer.variant
        while variant.state not in (Variant.State.PUBLISHED, Variant.State.FAILED, Variant.State.UNCONFIRMED):
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"the answer is queued (variant {variant.pk}) but not sent yet: is the publisher running (`strata worker`)?"
                )
            pause()
            variant.refresh_from_db()
        if variant.state != Variant.State.PUBLISHED:
            raise CommandError(f"the answer was not sent: {variant.last_error or variant.state}")
        self.stdout.write(variant.remote_id)


def pause() -> None:
    """Between two looks at whether the publisher has sent the answer."""
    time.sleep(POLL)


def _row(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.pk,
        "state": conversation.state,
        "sla": filing.sla_state(conversation),
        "due_at": conversation.due_at.isoformat() if conversation.due_at else None,
        "channel": conversation.channel_id,
        "platform": conversation.platform,
        "author": conversation.author_handle,
        "assignee": conversation.assignee or None,
        "rule": conversation.rule_id or None,
        "action": conversation.action,
        "sentiment": conversation.sentiment or None,
        "intents": conversation.intents,
        "last_inbound_at": conversation.last_inbound_at.isoformat(),
    }
