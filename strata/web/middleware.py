from __future__ import annotations

import json
import zoneinfo
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone

from strata.accounts.models import Workspace
from strata.accounts.scoping import Forbidden
from strata.nul import MESSAGE, holds_nul


class ForbiddenMiddleware:
    """Turns a role check that said no (`Forbidden`) into the 403 page for web views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Forbidden):
            raise PermissionDenied(str(exception)) from exception
        return None


class WorkspaceTimezoneMiddleware:
    """Pages of a workspace show times in the workspace's time zone; everything is stored in UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view: object, args: object, kwargs: dict[str, object]) -> None:
        slug = kwargs.get("slug")
        if isinstance(slug, str):
            name = Workspace.objects.filter(slug=slug).values_list("timezone", flat=True).first()
            if name:
                timezone.activate(zoneinfo.ZoneInfo(name))


# Strata's own files only: no inline script or style, no CDN, no plug-ins, never in a frame.
# What a member types can then never run as script in another member's browser, even if some
# template forgot to escape it. Images may be data: URLs (the API reference's icons).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy with every response (Django 5.2 has none built in).
    It sits before WhiteNoise so that static files carry it too: an SVG opened on its own is a
    document that could run script."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class RefuseNulMiddleware:
    """A NUL in the address or the query string is refused before any view runs (strata/nul.py):
    PostgreSQL would refuse it in the first query, and spoil the request's transaction."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(holds_nul(k) or holds_nul(v) for k, v in request.GET.lists()) or self._json_holds_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE, "errors": []}, status=422)  # the shape of every 422
            return HttpResponseBadRequest(MESSAGE)
        return self.get_response(request)

    @staticmethod
    def _json_holds_nul(request: HttpRequest) -> bool:
        """A JSON body can only carry NUL escaped (\\u0000): parse it only when that is in it."""
        if request.method not in ("POST", "PUT", "PATCH") or "json" not in (request.content_type or ""):
            return False
        try:
            body = request.body
        except Exception:  # too large or unreadable: the view says so
            return False
        if b"u0000" not in body.lower():
            return False
        try:
            return holds_nul(json.loads(body))
        except (ValueError, RecursionError):
            return False
