"""Calendar page URLs (and the feed, which needs no login)."""

from django.urls import path

from guanxi.scheduling import views

app_name = "calendar"
urlpatterns = [
    path("", views.calendar_page, name="page"),
    path("schedule/", views.schedule_page, name="schedule"),
    path("busy/", views.busy_partial, name="busy"),
    path("feed-url/regenerate/", views.feed_regenerate, name="feed_regenerate"),
    path("feed-url/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:token>.ics", views.feed_view, name="feed"),
]
