"""The reports' advice under /w/<slug>/: proposing the plan change a recommendation implies.
(Proposals themselves, and their pages, are the plan's: strata/strategy/proposal_urls.py.)"""

from __future__ import annotations

from django.urls import URLPattern, path

from strata.analytics.reports.advice_views import advice_propose

urlpatterns: list[URLPattern] = [
    path("advice/propose/", advice_propose, name="advice-propose"),
]
