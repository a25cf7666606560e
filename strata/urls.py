from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from strata.accounts import views as accounts
from strata.api import api
from strata.publishing import calendar, feeds
from strata.publishing import views as posts
from strata.publishing import views_list as posts_list
from strata.strategy import views as plan
from strata.strategy import views_sections as sections

urlpatterns = [
    # First: the short link redirect (/l/<code>) is the busiest address; and /w/<slug>/links/.
    path("", include("strata.analytics.links.urls")),
    path("login/", accounts.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", accounts.password_reset, name="password-reset"),
    path("password-reset/<str:uidb64>/<str:token>/", accounts.password_reset_confirm, name="password-reset-confirm"),
    path("", accounts.home, name="home"),
    path("switch/", accounts.switch_workspace, name="switch-workspace"),
    path("invitations/<str:token>/", accounts.accept_invitation, name="accept-invitation"),
    path("invitations/<int:invitation_id>/answer/", accounts.answer_invitation, name="answer-invitation"),
    path("account/tokens/", accounts.api_tokens, name="api-tokens"),
    path("account/tokens/<int:token_id>/revoke/", accounts.revoke_token, name="revoke-token"),
    path("w/<slug:slug>/", plan.overview, name="plan-overview"),
    path("w/<slug:slug>/review/", plan.review_page, name="plan-review"),
    path("w/<slug:slug>/map/", plan.strategy_map, name="plan-map"),
    path("w/<slug:slug>/members/", accounts.members, name="members"),
    path("w/<slug:slug>/members/<int:membership_id>/", accounts.member_role, name="member-role"),
    path("w/<slug:slug>/invitations/<int:invitation_id>/resend/", accounts.resend_invitation, name="invitation-resend"),
    path("w/<slug:slug>/invitations/<int:invitation_id>/cancel/", accounts.cancel_invitation, name="invitation-cancel"),
    path("w/<slug:slug>/file/", sections.plan_file, name="plan-file"),
    path("w/<slug:slug>/file/plan.yaml", sections.plan_export, name="plan-export"),
    path("w/<slug:slug>/history/", sections.history, name="plan-history"),
    path("w/<slug:slug>/settings/<str:name>/", sections.section, name="plan-section"),
    path("w/<slug:slug>/plan/<str:kind_name>/", plan.element_list, name="element-list"),
    path("w/<slug:slug>/plan/<str:kind_name>/new/", plan.element_edit, name="element-new"),
    path("w/<slug:slug>/plan/<str:kind_name>/<str:element_id>/", plan.element_edit, name="element-edit"),
    path("w/<slug:slug>/plan/<str:kind_name>/<str:element_id>/delete/", plan.element_delete, name="element-delete"),
    path("w/<slug:slug>/calendar/", calendar.calendar, name="calendar"),
    path("w/<slug:slug>/calendar.ics", calendar.ical, name="calendar-ics"),
    path("w/<slug:slug>/calendar/address/", calendar.ical_token, name="calendar-ics-token"),
    path("w/<slug:slug>/posts/", posts_list.posts_list, name="posts-list"),
    path("w/<slug:slug>/posts/bulk/", posts_list.posts_bulk, name="posts-bulk"),
    path("w/<slug:slug>/posts/new/", posts.compose, name="post-new"),
    path("w/<slug:slug>/posts/<int:post_id>/", posts.detail, name="post-detail"),
    path("w/<slug:slug>/posts/<int:post_id>/move/", calendar.move, name="post-move"),
    path("w/<slug:slug>/posts/<int:post_id>/edit/", posts.edit, name="post-edit"),
    path("w/<slug:slug>/posts/<int:post_id>/media/", posts.media_add, name="post-media"),
    path("w/<slug:slug>/posts/<int:post_id>/media/<int:media_id>/", posts.media_file, name="post-media-file"),
    path("w/<slug:slug>/posts/<int:post_id>/media/<int:media_id>/remove/", posts.media_remove, name="post-media-remove"),
    path("w/<slug:slug>/posts/<int:post_id>/media/<int:media_id>/alt/", posts.media_alt, name="post-media-alt"),
    path("w/<slug:slug>/posts/<int:post_id>/publish-now/", posts.publish_now, name="post-publish-now"),
    path("w/<slug:slug>/posts/<int:post_id>/delete/", posts_list.post_delete, name="post-delete"),
    path("w/<slug:slug>/posts/<int:post_id>/duplicate/", posts_list.post_duplicate, name="post-duplicate"),
    path("w/<slug:slug>/posts/<int:post_id>/<str:action>/", posts.transition, name="post-transition"),
    path("w/<slug:slug>/publishing-settings/", posts.settings_save, name="publishing-settings"),
    path("w/<slug:slug>/notifications/<int:notification_id>/done/", posts.notification_done, name="notification-done"),
    path("w/<slug:slug>/channels/", posts.channels, name="channels"),
    path("w/<slug:slug>/posts.csv/", posts.csv_page, name="posts-csv"),
    path("w/<slug:slug>/", include("strata.engagement.urls")),
    path("w/<slug:slug>/", include("strata.analytics.urls")),
    path("w/<slug:slug>/", include("strata.strategy.proposal_urls")),
    path("feeds/<slug:slug>/<str:channel_id>.atom", feeds.channel_feed, name="channel-feed"),
    path("api/v1/", api.urls),
]

handler400 = "strata.web.views.bad_request"
handler404 = "strata.web.views.not_found"
handler403 = "strata.web.views.forbidden"
handler500 = "strata.web.views.server_error"
