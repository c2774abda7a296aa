"""Case page URLs."""

from django.urls import path

from guanxi.service import analysis_views, care_views, survey_views, views

app_name = "service"
urlpatterns = [
    path("", views.case_queue, name="list"),
    path("cases/new/", views.case_create, name="create"),
    path("cases/new/customers/", views.case_customer_picker, name="customer_picker"),
    path("analysis/", analysis_views.case_analysis_page, name="analysis"),
    path("cases/<record_id:case_id>/", views.case_detail, name="detail"),
    path("cases/<record_id:case_id>/move/", views.case_move, name="move"),
    path("cases/<record_id:case_id>/assign/", views.case_assign, name="assign"),
    path("cases/<record_id:case_id>/attachments/", views.case_attachment_upload, name="attach"),
    path(
        "cases/<record_id:case_id>/attachments/<record_id:attachment_id>/",
        views.case_attachment_download,
        name="attachment",
    ),
    path("satisfaction/", survey_views.satisfaction_dashboard, name="satisfaction"),
    path("survey/<str:token>/", survey_views.survey_answer, name="survey"),
    path("care/", care_views.care_page, name="care"),
    path("care/greet/", care_views.care_greet, name="care_greet"),
    path(
        "care/follow-ups/<record_id:follow_up_id>/outcome/",
        care_views.follow_up_outcome,
        name="follow_up_outcome",
    ),
]
