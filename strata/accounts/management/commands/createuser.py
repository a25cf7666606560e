"""strata createuser EMAIL [--workspace SLUG --role ROLE]: make an account (the password is read
from the terminal or from --password-file) and optionally add it to a workspace."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from strata.accounts.actions import MAX_EMAIL, MAX_NAME
from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role


class Command(BaseCommand):
    help = "Create a user, optionally as a member of a workspace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--password-file", help="read the password from this file instead of asking")
        parser.add_argument("--workspace", help="slug of a workspace to add the user to")
        parser.add_argument("--role", choices=Role.values, default=Role.OWNER)

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email[:80]!r} is not an e-mail address") from None
        if len(email) > MAX_EMAIL or len(options["name"]) > MAX_NAME:
            raise CommandError(f"the e-mail address may be at most {MAX_EMAIL} characters and the name {MAX_NAME}")
        if User.objects.filter(email=email).exists():
            raise CommandError(f"a user {email} exists already")
        if options["password_file"]:
            try:
                password = Path(options["password_file"]).read_text().strip()
            except OSError as exc:
                raise CommandError(f"cannot read {options['password_file']}: {exc.strerror}") from None
        else:
            password = getpass.getpass("Password: ")
        try:
            password_validation.validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        workspace = None
        if options["workspace"]:
            workspace = Workspace.objects.filter(slug=options["workspace"]).first()
            if workspace is None:
                raise CommandError(f"no workspace '{options['workspace']}'")
        user = User.objects.create_user(email, password, name=options["name"])
        if workspace is not None:
            Membership.objects.create(user=user, workspace=workspace, role=options["role"])
        self.stdout.write(f"created {email}" + (f" as {options['role']} of {workspace.slug}" if workspace else ""))
