"""strata channel connect --workspace SLUG --channel ID --service URL --handle H --password-file F"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.publishing.actions import connect_channel


class Command(BaseCommand):
    help = "Connect a channel of the plan to its account on the platform."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{connect}")
        connect = sub.add_parser("connect", help="store a channel's credentials (encrypted) after the platform accepted them")
        connect.add_argument("--workspace", required=True)
        connect.add_argument("--channel", required=True, help="the channel's id in the plan")
        connect.add_argument("--service", required=True, help="the PDS URL (Bluesky) or the instance URL (Mastodon)")
        connect.add_argument("--handle", required=True, help="the account: a Bluesky handle, a Mastodon user")
        connect.add_argument("--password-file", required=True, help="a file holding the app password or access token")
        connect.add_argument("--no-verify", action="store_true", help="store without asking the platform first")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace '{options['workspace']}'")
        try:
            secret = Path(options["password_file"]).read_text().strip()
        except OSError as exc:
            raise CommandError(f"cannot read {options['password_file']}: {exc.strerror}") from None
        try:
            account = connect_channel(
                workspace=workspace,
                actor=None,
                channel_id=options["channel"],
                service=options["service"].rstrip("/"),
                handle=options["handle"],
                secret=secret,
                verify=not options["no_verify"],
            )
        except ActionError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"connected {account.channel_id} to {account.platform} {account.handle} ({account.remote_account or 'not verified'})"
        )
