"""The imports page, under /w/<slug>/ (included from strata/analytics/urls.py)."""

from __future__ import annotations

from django.urls import path

from strata.analytics.imports import views

urlpatterns = [
    path("imports/", views.imports_page, name="imports"),
]
