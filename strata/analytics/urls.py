"""The analytics app's pages under /w/<slug>/ (the short links keep their own urls.py, with the
redirect at the root). Included from strata/urls.py."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("strata.analytics.kpis.urls")),
    path("", include("strata.analytics.imports.urls")),
    path("", include("strata.analytics.reports.urls")),
    path("", include("strata.analytics.reports.advice_urls")),
]
