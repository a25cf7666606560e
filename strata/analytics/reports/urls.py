"""The reports under /w/<slug>/reports/ (included from strata/analytics/urls.py). A month is
written YYYY-MM; anything else is a 404 with the reason, never an error page."""

from __future__ import annotations

from django.urls import URLPattern, path

from strata.analytics.reports import views

urlpatterns: list[URLPattern] = [
    path("reports/", views.reports_page, name="reports"),
    path("reports/monthly/<str:month>/", views.monthly_page, name="report-monthly"),
    path("reports/monthly/<str:month>.pdf", views.monthly_pdf, name="report-monthly-pdf"),
    path("reports/monthly/<str:month>.json", views.monthly_json, name="report-monthly-json"),
    path("reports/six-month/<str:month>/", views.six_month_page, name="report-six-month"),
    path("reports/six-month/<str:month>.pdf", views.six_month_pdf, name="report-six-month-pdf"),
    path("reports/six-month/<str:month>.json", views.six_month_json, name="report-six-month-json"),
]
