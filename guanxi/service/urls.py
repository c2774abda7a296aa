"""Case page URLs."""

from django.urls import path

from guanxi.service import survey_views, views

app_name = "service"
urlpatterns = [
    path("", views.case_queue, name="list"),
    path("cases/new/", views.case_create, name="create"),
    path("cases/<record_id:case_id>/", views.case_detail, name="detail"),
    path("cases/<record_id:case_id>/move/", views.case_move, name="move"),
    path("cases/<record_id:case_id>/assign/", views.case_assign, name="assign"),
    path("satisfaction/", survey_views.satisfaction_dashboard, name="satisfaction"),
    path("survey/<str:token>/", survey_views.survey_answer, name="survey"),
]
