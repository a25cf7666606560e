"""The `strata` command: Django's management commands under Strata's name.

`strata plan check FILE`, `strata serve`, `strata demo`, `strata createuser`, … are ordinary
management commands in the apps' management/commands folders."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strata.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["strata", *sys.argv[1:]])


if __name__ == "__main__":
    main()
