"""Times are shown in the workspace's time zone, the zone named, the full time on hover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.template import Context, Template
from django.test import Client

from strata.accounts.models import Workspace
from strata.strategy.models import PlanRevision
from strata.web.templatetags.when import when

WINTER = dt.datetime(2026, 12, 1, 13, 5, 7, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 7, 1, 13, 5, 7, tzinfo=dt.UTC)


def test_it_shows_the_workspaces_zone_with_the_full_time_on_hover() -> None:
    html = Template("{% load when %}{{ t|when:ws }}").render(Context({"t": WINTER, "ws": Workspace(timezone="Europe/Berlin")}))
    assert html == (
        '<time datetime="2026-12-01T13:05:07Z" title="Tuesday 1 December 2026, 14:05:07 CET (Europe/Berlin)">1 Dec 2026, 14:05 CET</time>'
    )


@pytest.mark.parametrize(
    ("moment", "zone", "shown"),
    [
        (SUMMER, "Europe/Berlin", "1 Jul 2026, 15:05 CEST"),
        (WINTER, "America/New_York", "1 Dec 2026, 08:05 EST"),
        (WINTER, "Asia/Dubai", "1 Dec 2026, 17:05 UTC+04"),
        (WINTER, "Not/A_Zone", "1 Dec 2026, 13:05 UTC"),
        (WINTER, None, "1 Dec 2026, 13:05 UTC"),
    ],
)
def test_it_names_the_zone_and_falls_back_to_utc(moment: dt.datetime, zone: str | None, shown: str) -> None:
    assert f">{shown}</time>" in when(moment, zone)


def test_history_shows_when_in_the_workspaces_zone(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    acme.timezone = "Europe/Berlin"
    acme.save()
    PlanRevision.objects.filter(workspace=acme).update(created_at=WINTER)
    html = client_for("analyst").get("/w/acme/history/").content.decode()
    assert "When (UTC)" not in html
    assert (
        '<time datetime="2026-12-01T13:05:07Z" title="Tuesday 1 December 2026, 14:05:07 CET (Europe/Berlin)">1 Dec 2026, 14:05 CET</time>'
        in html
    )
