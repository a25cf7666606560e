"""Error pages in the product's layout. A role that may not do something sees why."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request, "web/error.html", {"title": "Not found", "text": "There is nothing here, or it is not yours to see."}, status=404
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        text = "What was sent is larger than Strata accepts in a form (6 MB). A plan file may be at most 5 MB: upload it as a file."
    else:
        text = "Strata could not read what was sent. Go back and try again."
    return render(request, "web/error.html", {"title": "Not understood", "text": text}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    text = str(exception) if exception and str(exception) else "Your role in this workspace may not do this."
    return render(request, "web/error.html", {"title": "Not allowed", "text": text}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": "Something broke", "text": "It is our fault, and it has been logged. Try again in a moment."},
        status=500,
    )
