"""Case page URLs."""

from django.urls import path

from guanxi.service import care_views, views

app_name = "service"
urlpatterns = [
    path("", views.case_queue, name="list"),
    path("cases/new/", views.case_create, name="create"),
    path("cases/<record_id:case_id>/", views.case_detail, name="detail"),
    path("cases/<record_id:case_id>/move/", views.case_move, name="move"),
    path("cases/<record_id:case_id>/assign/", views.case_assign, name="assign"),
    path("care/", care_views.care_page, name="care"),
    path("care/greet/", care_views.care_greet, name="care_greet"),
    path(
        "care/follow-ups/<record_id:follow_up_id>/outcome/",
        care_views.follow_up_outcome,
        name="follow_up_outcome",
    ),
]
