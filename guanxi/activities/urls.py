"""Activity page URLs."""

from django.urls import path

from guanxi.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("my-day/", views.my_day_page, name="my_day"),
    path("new/", views.activity_log, name="log"),
    path("contact-rules/", views.contact_rules_page, name="contact_rules"),
    path("<record_id:activity_id>/", views.activity_detail, name="detail"),
    path("<record_id:activity_id>/complete/", views.activity_complete, name="complete"),
    path("<record_id:activity_id>/reschedule/", views.activity_reschedule, name="reschedule"),
    path("<record_id:activity_id>/attachments/", views.attachment_upload, name="attach"),
    path(
        "<record_id:activity_id>/attachments/<record_id:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
]
