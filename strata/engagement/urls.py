"""The engagement app's pages, under /w/<slug>/."""

from __future__ import annotations

from django.urls import path

from strata.engagement import views
from strata.engagement.ambassadors import views as ambassadors
from strata.engagement.inbox import calendar_views
from strata.engagement.inbox import views as inbox

urlpatterns = [
    path("listening/", views.listening, name="listening"),
    path("listening.csv", views.listening_csv, name="listening-csv"),
    path("listening/<slug:topic>/", views.listening, name="listening-topic"),
    path("heard/<int:item_id>/labels/", views.correct, name="heard-labels"),
    path("query-trial/", views.try_query, name="query-trial"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/bulk/", inbox.bulk, name="inbox-bulk"),
    path("inbox/views/", inbox.views_save, name="inbox-views"),
    path("inbox/figures/", inbox.figures_page, name="inbox-figures"),
    path("inbox/<int:conversation_id>/", inbox.conversation, name="inbox-conversation"),
    path("inbox/<int:conversation_id>/reply/", inbox.reply, name="inbox-reply"),
    path("inbox/<int:conversation_id>/assign/", inbox.assign, name="inbox-assign"),
    path("inbox/<int:conversation_id>/state/", inbox.state, name="inbox-state"),
    path("inbox/<int:conversation_id>/note/", inbox.note, name="inbox-note"),
    path("inbox/<int:conversation_id>/offline/", inbox.offline, name="inbox-offline"),
    path("inbox/<int:conversation_id>/presence/", inbox.presence_view, name="inbox-presence"),
    path("inbox/<int:conversation_id>/items/<int:item_id>/react/", inbox.react, name="inbox-react"),
    path("inbox/calendar/", calendar_views.calendar, name="inbox-calendar"),
    path("inbox-settings/", inbox.settings_save, name="inbox-settings"),
    path("ambassadors/", ambassadors.ambassadors, name="ambassadors"),
    path("ambassadors.csv", ambassadors.ambassadors_csv, name="ambassadors-csv"),
    path("ambassadors/<int:ambassador_id>/", ambassadors.ambassador, name="ambassador"),
    path("ambassadors/<int:ambassador_id>/confirm/", ambassadors.confirm, name="ambassador-confirm"),
    path("ambassadors/<int:ambassador_id>/dismiss/", ambassadors.dismiss, name="ambassador-dismiss"),
    path("ambassadors/<int:ambassador_id>/tags/", ambassadors.tags, name="ambassador-tags"),
    path("ambassadors/<int:ambassador_id>/audience/", ambassadors.audience, name="ambassador-audience"),
]
