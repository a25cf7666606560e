"""Every route Strata answers, read from the code: the URL patterns (walked recursively from the
root URLconf) and the API's path operations with each method (from the OpenAPI description
django-ninja builds out of the routers). The permission matrix in permissions_rows.py must
have a row for each of them; tests/test_permissions.py fails for any route without one."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from strata.accounts.roles import PERMISSIONS
from strata.api import api
from strata.publishing import views as post_views

# URL prefixes that are not Strata's pages, each with the reason. None is mounted today; they
# are named so that mounting one is a decision and not an accident.
SKIPPED = {
    "admin/": "Django's admin: staff accounts only, outside the workspaces and their roles",
    "static/": "static files: the same for everyone, no workspace data",
    "__debug__/": "the debug toolbar: development only, never in the production URLconf",
}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield route, pattern


def _openapi_form(route: str) -> str:
    """Django's `workspaces/<slug>/posts` → OpenAPI's `/workspaces/{slug}/posts`."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def api_operations() -> dict[str, bool]:
    """`METHOD /api/v1/path` of every API operation → whether it asks for authentication."""
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}": bool(operation.get("security"))
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


def page_routes() -> dict[str, str]:
    """URL name → route of every URL pattern that is not an API operation (those are listed,
    with their methods, by api_operations). An API operation hidden from the OpenAPI
    description shows up here, and so needs a row like any page."""
    api_paths = {key.split(" ", 1)[1] for key in api_operations()}
    routes: dict[str, str] = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        if any(route.startswith(prefix) for prefix in SKIPPED):
            continue
        if _openapi_form(route) in api_paths:
            continue
        name = pattern.name or route
        if name in routes:
            raise AssertionError(f"two URL patterns are named {name!r}: {routes[name]!r} and {route!r}; name each route once")
        routes[name] = route
    return routes


def transitions() -> set[str]:
    """The actions the post workflow view answers at posts/<id>/<action>/: the keys of the
    action → permission mapping in strata.publishing.views.transition. Read from its source
    because the mapping is local to the view; the permissions it names are not used here, so
    that a wrong one in the view cannot make its own row agree with it."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(post_views.transition))))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and node.values and all(isinstance(v, ast.Constant) and v.value in PERMISSIONS for v in node.values):
            return {k.value for k in node.keys if isinstance(k, ast.Constant)}
    raise AssertionError("strata.publishing.views.transition no longer maps its actions to permissions in one dict; update transitions()")
