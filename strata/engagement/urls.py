"""The engagement app's pages, under /w/<slug>/."""

from __future__ import annotations

from django.urls import path

from strata.engagement import views
from strata.engagement.inbox import views as inbox

urlpatterns = [
    path("listening/", views.listening, name="listening"),
    path("listening.csv", views.listening_csv, name="listening-csv"),
    path("listening/<slug:topic>/", views.listening, name="listening-topic"),
    path("heard/<int:item_id>/labels/", views.correct, name="heard-labels"),
    path("query-trial/", views.try_query, name="query-trial"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:conversation_id>/", inbox.conversation, name="inbox-conversation"),
    path("inbox/<int:conversation_id>/reply/", inbox.reply, name="inbox-reply"),
    path("inbox/<int:conversation_id>/assign/", inbox.assign, name="inbox-assign"),
    path("inbox/<int:conversation_id>/state/", inbox.state, name="inbox-state"),
    path("inbox/<int:conversation_id>/note/", inbox.note, name="inbox-note"),
    path("inbox/<int:conversation_id>/offline/", inbox.offline, name="inbox-offline"),
    path("inbox-settings/", inbox.settings_save, name="inbox-settings"),
]
