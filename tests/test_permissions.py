"""The permission matrix: every page, htmx answer and API route, for all six roles, an outsider
and an anonymous visitor. The rows are in tests/permissions_rows.py; the routes are read from
the code (tests/permissions_routes.py), and a route without a row fails here.

Each row names the permission it needs from strata/accounts/roles.py. A role holding it gets
the row's answer and its change happens; a role without it gets 403 and nothing changes; the
outsider (owner of another workspace) gets the same 404 as for a workspace that does not
exist, also with acme's ids in their own workspace's addresses; a visitor who is not signed in
is sent to sign in (pages) or gets 401 (API)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from strata.accounts.models import ApiToken, Membership, User
from strata.accounts.roles import PERMISSIONS, Role
from strata.strategy.views_sections import SECTIONS
from tests.permissions_routes import SKIPPED, api_operations, page_routes, transitions
from tests.permissions_rows import API, PAGES, PUBLIC, ROWS, SIGNED_IN, Row, Values
from tests.permissions_world import World

ROLES = [r.value for r in Role]
WHERE = "tests/permissions_rows.py"
# Ids of acme's rows in the database: the outsider tries them in their own workspace's addresses.
OBJECT_IDS = {"post", "post_id", "member", "member_id", "notification"}
ANONYMOUS = 0  # no user has this id: what an anonymous request could have changed is checked against it


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def send(row: Row, values: Values, client: Client, *, token: str = "", slug: str = "acme") -> HttpResponse:
    headers = {"HX-Request": "true"} if row.htmx else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = row.data(values)
    method = getattr(client, row.method)
    if row.api:
        kwargs = {} if data is None else {"data": data}
        return method(row.address(values, slug), content_type=row.content_type, headers=headers, **kwargs)  # type: ignore[no-any-return]
    if row.method == "get":
        return method(row.address(values, slug), headers=headers)  # type: ignore[no-any-return]
    return method(row.address(values, slug), data=data or {}, headers=headers)  # type: ignore[no-any-return]


def text(response: HttpResponse) -> str:
    return response.content.decode("utf-8", "replace")


def without_csrf(body: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "<csrf>", body)


def shows_acme(body: str) -> bool:
    return "Acme" in body or "acme-" in body


class Matrix:
    """Sends a row's requests as each persona and collects every answer that is not the row's."""

    def __init__(self, row: Row, world: World, client_for: Callable[[str], Client], token_for: Callable[[str], str]) -> None:
        self.row, self.world = row, world
        self.client_for, self.token_for = client_for, token_for
        self.problems: list[str] = []

    def request(self, persona: str | None, values: Values, *, slug: str = "acme", token: str = "") -> HttpResponse:
        if persona is None:
            return send(self.row, values, Client(), token=token, slug=slug)
        if self.row.api:
            return send(self.row, values, Client(), token=self.token_for(persona), slug=slug)
        return send(self.row, values, self.client_for(persona), slug=slug)

    def fresh(self, persona: str | None) -> Values:
        user = self.world.users[persona] if persona else self.world.users["outsider"]
        values = self.row.make(self.world, user)
        return {**values, "actor": user.pk if persona else ANONYMOUS}

    def expect(self, who: str, response: HttpResponse, status: int, values: Values, *, allowed: bool) -> None:
        """`allowed`: the request must succeed, its change happen and its text show; otherwise
        nothing may change."""
        row, wrong = self.row, []
        if response.status_code != status:
            wrong.append(f"expected {status}, got {response.status_code} {excerpt(response)}")
        if row.done is not None and row.done(self.world, values) != allowed:
            wrong.append("the change did not happen" if allowed else "the change was made")
        shown = row.shows.format(**values)
        if allowed and shown and shown not in text(response):
            wrong.append(f"{shown!r} is not shown")
        if allowed and row.htmx and "<!doctype" in text(response).lower():
            wrong.append("a whole page came back where htmx asked for a fragment")
        self.problems += [f"{who}: {w}" for w in wrong]

    def hidden(self, who: str, response: HttpResponse) -> None:
        if shows_acme(text(response)):
            self.problems.append(f"{who}: the answer shows something of acme")

    def fail_if_any(self) -> None:
        needs = (
            self.row.needs
            if self.row.needs in (PUBLIC, SIGNED_IN)
            else f"{self.row.needs} ({', '.join(sorted(PERMISSIONS[self.row.needs]))})"
        )
        assert not self.problems, f"{self.row.id} needs {needs}:\n  " + "\n  ".join(self.problems)


def excerpt(response: HttpResponse) -> str:
    if response.status_code in (301, 302):
        return f"to {response['Location']}"
    body = re.sub(r"<[^>]+>|\s+", " ", text(response))
    match = re.search(r"Not allowed|Not found|\"detail\": \"[^\"]*\"", body)
    return match.group(0) if match else body.strip()[:120]


WORKSPACE_ROWS = [row for row in ROWS if row.needs in PERMISSIONS]
SIGNED_IN_ROWS = [row for row in ROWS if row.needs == SIGNED_IN]
PUBLIC_ROWS = [row for row in ROWS if row.needs == PUBLIC]


@pytest.fixture
def world(personas: dict[str, User]) -> World:
    return World.build(personas)


@pytest.mark.parametrize("row", WORKSPACE_ROWS, ids=lambda row: row.id)
def test_each_role_may_do_what_the_table_gives_it_and_nothing_more(
    row: Row, world: World, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    matrix = Matrix(row, world, client_for, token_for)
    for persona in ROLES:
        values = matrix.fresh(persona)
        allowed = Role(persona) in PERMISSIONS[row.needs]
        response = matrix.request(persona, values)
        matrix.expect(persona, response, row.ok if allowed else 403, values, allowed=allowed)
        if not allowed and row.api and response.status_code == 403 and "may not" not in response.json().get("detail", ""):
            matrix.problems.append(f"{persona}: the 403 does not say what the role may not do")

    # The outsider learns nothing: the answer is the one for a workspace that does not exist.
    values = matrix.fresh("outsider")
    response = matrix.request("outsider", values)
    matrix.expect("outsider", response, 404, values, allowed=False)
    matrix.hidden("outsider", response)
    nowhere = matrix.request("outsider", values, slug="nowhere")
    if without_csrf(text(response)) != without_csrf(text(nowhere)):
        matrix.problems.append("outsider: the answer differs from the one for a workspace that does not exist")
    if OBJECT_IDS & set(re.findall(r"{(\w+)}", row.template)):
        values = matrix.fresh("outsider")
        response = matrix.request("outsider", values, slug="rival")
        matrix.expect("outsider with acme's ids in rival's addresses", response, row.foreign, values, allowed=False)
        matrix.hidden("outsider with acme's ids in rival's addresses", response)

    for token in ("", "strata_not-a-real-token") if row.api else ("",):
        values = matrix.fresh(None)
        response = matrix.request(None, values, token=token)
        who = "a request with a wrong token" if token else "a visitor not signed in"
        if row.api:
            matrix.expect(who, response, 401, values, allowed=False)
        else:
            matrix.expect(who, response, 302, values, allowed=False)
            if response.status_code == 302 and not response["Location"].startswith("/login/"):
                matrix.problems.append(f"{who}: sent to {response['Location']}, not to sign in")
    matrix.fail_if_any()


@pytest.mark.parametrize("row", SIGNED_IN_ROWS, ids=lambda row: row.id)
def test_everyone_signed_in_may_use_their_own_account_and_only_their_own(
    row: Row, world: World, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    matrix = Matrix(row, world, client_for, token_for)
    for persona in [*ROLES, "outsider"]:
        values = matrix.fresh(persona)
        matrix.expect(persona, matrix.request(persona, values), row.ok, values, allowed=True)

    # The outsider, on the owner's things: nothing changes and nothing of them shows.
    values = {**row.make(world, world.users["owner"]), "actor": world.users["owner"].pk}
    response = matrix.request("outsider", values)
    if row.done is not None and row.done(world, values):
        matrix.problems.append("outsider: changed what belongs to the owner")
    shown = row.shows.format(**values)
    if shown and shown in text(response):
        matrix.problems.append(f"outsider: sees the owner's {shown!r}")

    values = matrix.fresh(None)
    response = matrix.request(None, values)
    matrix.expect("a visitor not signed in", response, 401 if row.api else 302, values, allowed=False)
    matrix.fail_if_any()


@pytest.mark.parametrize("row", PUBLIC_ROWS, ids=lambda row: row.id)
def test_public_routes_answer_visitors_who_are_not_signed_in(
    row: Row, world: World, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    matrix = Matrix(row, world, client_for, token_for)
    values = matrix.fresh(None)
    response = matrix.request(None, values)
    matrix.expect("a visitor not signed in", response, row.ok, values, allowed=True)
    if response.status_code >= 400:
        matrix.hidden("a visitor not signed in", response)
    matrix.fail_if_any()


def _rows_of(rows: list[Row]) -> set[str]:
    return {row.route for row in rows}


def test_every_page_route_has_a_row() -> None:
    missing = {name: route for name, route in page_routes().items() if name not in _rows_of(PAGES)}
    assert not missing, "\n".join(
        f"the page {name!r} ({route}) has no row in the permission matrix: add one to PAGES in {WHERE} "
        "for each method it answers (and for its htmx answer, if it has one), naming the permission it needs"
        for name, route in missing.items()
    )


def test_every_api_route_has_a_row() -> None:
    missing = sorted(set(api_operations()) - _rows_of(API))
    assert not missing, "\n".join(
        f"the API route {route} has no row in the permission matrix: add one to API in {WHERE}, naming the permission it needs"
        for route in missing
    )


def test_every_row_is_for_a_route_that_exists() -> None:
    known = set(page_routes()) | set(api_operations())
    stale = [row.id for row in ROWS if row.route not in known]
    assert not stale, f"rows for routes that no longer exist: {stale}; remove them from {WHERE}"
    misplaced = [row.id for row in PAGES if row.api] + [row.id for row in API if not row.api]
    assert not misplaced, f"API rows belong in API and page rows in PAGES: {misplaced}"


def test_every_plan_section_and_every_post_action_has_its_rows() -> None:
    sections = {(row.method, row.label) for row in PAGES if row.route == "plan-section"}
    assert {(method, name) for name in SECTIONS for method in ("get", "post")} <= sections, f"add the section's rows to {WHERE}"
    actions = {row.label for row in PAGES if row.route == "post-transition"}
    assert not transitions() - actions, f"the post actions {sorted(transitions() - actions)} have no row: add them to {WHERE}"
    assert not actions - transitions()


def test_only_the_public_rows_answer_the_api_without_a_token() -> None:
    open_routes = {route for route, needs_auth in api_operations().items() if not needs_auth}
    public_rows = {row.route for row in API if row.needs == PUBLIC}
    assert not open_routes - public_rows, f"{sorted(open_routes - public_rows)} answer without a token: make them PUBLIC rows with a reason"
    assert not public_rows - open_routes, f"{sorted(public_rows - open_routes)} ask for a token: their rows must name a permission"


def test_every_row_needs_a_permission_of_the_table_and_public_ones_say_why() -> None:
    assert not [row.id for row in ROWS if row.needs not in PERMISSIONS and row.needs not in (PUBLIC, SIGNED_IN)]
    assert not [row.id for row in PUBLIC_ROWS if not row.reason]
    assert all(reason for reason in SKIPPED.values())


def test_a_removed_member_loses_access_at_once(personas: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("editor")
    assert client.get("/w/acme/").status_code == 200
    Membership.objects.filter(user=personas["editor"]).delete()
    assert client.get("/w/acme/").status_code == 404


def test_a_revoked_token_stops_working_at_once(personas: Any, client_for: Callable[[str], Client]) -> None:
    token, secret = ApiToken.issue(user=personas["analyst"], name="script")
    headers = {"authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/workspaces/acme/plan", headers=headers).status_code == 200
    client_for("analyst").post(f"/account/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/workspaces/acme/plan", headers=headers).status_code == 401
