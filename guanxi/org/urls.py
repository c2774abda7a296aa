"""Staff page URLs."""

from django.urls import path

from guanxi.org import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<record_id:user_id>/handover/", views.staff_handover, name="handover"),
    path("<record_id:user_id>/deactivate/", views.staff_deactivate_view, name="deactivate"),
]
