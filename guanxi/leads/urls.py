"""Lead page URLs."""

from django.urls import path

from guanxi.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("<record_id:lead_id>/", views.lead_detail, name="detail"),
    path("<record_id:lead_id>/edit/", views.lead_edit, name="edit"),
    path("<record_id:lead_id>/status/", views.lead_status, name="status"),
    path("<record_id:lead_id>/assign/", views.lead_assign, name="assign"),
    path("<record_id:lead_id>/convert/", views.lead_convert, name="convert"),
]
