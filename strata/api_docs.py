"""The OpenAPI description, completed: every error an operation can answer with is listed, and
the plan file's body is described by the plan's own schema, so that clients (and the generated
tests in tests/security/test_api_schema.py) know what to send and what can come back.

django-ninja lists only the responses a route declares; the errors come from exception handlers
in strata/api.py that apply to every route, so they are added here, once, by the same rules."""

from __future__ import annotations

import re
from typing import Any

from strata.strategy.elements import KINDS
from strata.strategy.plan.schema import PlanDocument

ERROR = {
    "title": "ErrorOut",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "what went wrong, in plain words"},
        "field": {"type": "string", "description": "the field at fault, where there is one"},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "one entry per problem, with its place"},
    },
    "required": ["detail"],
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}

WHY = {
    400: "The body could not be read (not JSON, or not UTF-8).",
    401: "Not signed in: send an API token (Authorization: Bearer …).",
    403: "Your role in this workspace may not do this.",
    404: "No such thing, or not in a workspace of yours.",
    409: "The thing is not in a state that allows this (for example, a post already published).",
    422: "The request is not valid: `detail` says why, `field` or `errors` where.",
}


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error responses, the plan body's schema and the element kinds to `schema`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorOut"] = ERROR
    plan = PlanDocument.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in plan.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["PlanDocument"] = plan  # the plan routes' bodies refer to it (strategy/api.py)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            _add_errors(path, method, operation)
            _describe_kind(operation)
    return schema


def _add_errors(path: str, method: str, operation: dict[str, Any]) -> None:
    codes = {422}
    if operation.get("requestBody"):
        codes.add(400)
    if operation.get("security"):
        codes.add(401)
    if "{slug}" in path:
        codes |= {403, 404}
    elif re.search(r"\{\w+\}", path):
        codes.add(404)
    if method != "get" and operation.get("security"):
        codes.add(409)
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        if str(code) not in responses and code not in responses:
            responses[str(code)] = {"description": WHY[code], "content": {"application/json": {"schema": ERROR_REF}}}


def _describe_kind(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == "kind" and parameter.get("in") == "path":
            parameter["schema"] = {"type": "string", "enum": sorted(KINDS)}
