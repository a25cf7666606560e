"""Proposed plan changes under /w/<slug>/ (included from strata/urls.py). What proposes them
(the reports' advice) has its own route in analytics: strategy depends on nothing above it."""

from __future__ import annotations

from django.urls import URLPattern, path

from strata.strategy import views_proposals as views

urlpatterns: list[URLPattern] = [
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/<int:proposal_id>/", views.proposal_page, name="proposal"),
    path("proposals/<int:proposal_id>/accept/", views.proposal_accept, name="proposal-accept"),
    path("proposals/<int:proposal_id>/decline/", views.proposal_decline, name="proposal-decline"),
]
