"""The `strata` command: Django's management commands under Strata's name.

`strata plan check FILE`, `strata serve`, `strata demo`, `strata createuser`, … are ordinary
management commands in the apps' management/commands folders."""

from __future__ import annotations

import os
import sys

# Commands whose name reads better with a hyphen than Python's module names allow.
ALIASES = {"import-analytics": "import_analytics"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strata.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from strata.env import SettingsError

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads the settings: a bad variable is reported, not a traceback)
    except SettingsError as exc:
        print(f"strata: {exc}", file=sys.stderr)  # noqa: T201
        sys.exit(2)

    args = sys.argv[1:]
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    execute_from_command_line(["strata", *args])


if __name__ == "__main__":
    main()
