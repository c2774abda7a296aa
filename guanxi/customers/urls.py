"""Customer page URLs."""

from django.urls import path

from guanxi.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("export.csv", views.customer_export, {"kind": "csv"}, name="export_csv"),
    path("export.xlsx", views.customer_export, {"kind": "xlsx"}, name="export_xlsx"),
    path("<record_id:customer_id>/", views.customer_detail, name="detail"),
    path("<record_id:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<record_id:customer_id>/lifecycle/", views.customer_lifecycle, name="lifecycle"),
    path("<record_id:customer_id>/reveal/<str:field>/", views.customer_reveal, name="reveal"),
]
