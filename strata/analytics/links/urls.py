"""The short link redirect, at the root so that links stay short, and the links pages under
/w/<slug>/. Included from strata/urls.py."""

from __future__ import annotations

from django.urls import path

from strata.analytics.links import views

urlpatterns = [
    path("l/<str:code>", views.follow, name="short-link"),
    path("w/<slug:slug>/links/", views.links_page, name="links"),
    path("w/<slug:slug>/links.csv", views.links_csv, name="links-csv"),
    path("w/<slug:slug>/links/settings/", views.settings_save, name="links-settings"),
]
