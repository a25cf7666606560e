"""The results page, under /w/<slug>/ (strata/analytics/urls.py)."""

from __future__ import annotations

from django.urls import path

from strata.analytics.kpis import views

urlpatterns = [path("results/", views.results, name="kpis")]
