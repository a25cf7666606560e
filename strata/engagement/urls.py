"""The engagement app's pages, under /w/<slug>/."""

from __future__ import annotations

from django.urls import path

from strata.engagement import views

urlpatterns = [
    path("listening/", views.listening, name="listening"),
    path("listening.csv", views.listening_csv, name="listening-csv"),
    path("listening/<slug:topic>/", views.listening, name="listening-topic"),
    path("heard/<int:item_id>/labels/", views.correct, name="heard-labels"),
    path("query-trial/", views.try_query, name="query-trial"),
]
