"""The JSON API under /api/v1: one NinjaAPI collecting each app's router.

Authentication: a personal API token (`Authorization: Bearer strata_…`) or the browser session.
Errors are status codes with a `detail` text: 401 not signed in, 403 the role may not, 404 no
such thing (or not yours), 409 conflict, 422 bad input (with `errors` for plan files)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from strata import api_docs
from strata.accounts.actions import ActionError
from strata.accounts.api import router as accounts_router
from strata.accounts.models import ApiToken
from strata.accounts.scoping import Forbidden
from strata.analytics.imports.api import router as imports_router
from strata.analytics.kpis.api import router as kpis_router
from strata.analytics.reports.api import router as reports_router
from strata.engagement.ambassadors.api import router as ambassadors_router
from strata.engagement.api import router as engagement_router
from strata.engagement.inbox.api import router as inbox_router
from strata.nul import MESSAGE, holds_nul
from strata.publishing.api import router as publishing_router
from strata.strategy.api import router as strategy_router
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.proposal_api import router as proposals_router


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class RefusingNul(Parser):
    """ninja's JSON and query parsing, refusing NUL anywhere (strata/nul.py)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if holds_nul(data):
            raise ActionError(MESSAGE)
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        parsed = super().parse_querydict(data, list_fields, request)
        if holds_nul(parsed) or "\x00" in request.path:
            raise ActionError(MESSAGE)
        return parsed


class StrataApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        return api_docs.complete(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = StrataApi(
    parser=RefusingNul(),
    title="Strata API",
    version="1",
    description="Plans, reviews and workspaces of Strata, the strategy-first social media platform.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api-1",
)
api.add_router("/", accounts_router)
api.add_router("/", strategy_router)
api.add_router("/", publishing_router)
api.add_router("/", engagement_router)
api.add_router("/", inbox_router)
api.add_router("/", ambassadors_router)
api.add_router("/", kpis_router)
api.add_router("/", imports_router)
api.add_router("/", reports_router)
api.add_router("/", proposals_router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "not found"}, status=404)


@api.exception_handler(Forbidden)
def forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(ActionError)
def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    body: dict[str, Any] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    errors = getattr(exc, "errors", None)
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(PlanInvalid)
def plan_invalid(request: HttpRequest, exc: PlanInvalid) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "the plan cannot be read; nothing was changed", "errors": [e.as_dict() for e in exc.errors]},
        status=422,
    )


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "invalid request", "errors": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "sign in or send an API token (Authorization: Bearer …)"}, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
