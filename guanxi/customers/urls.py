"""Customer page URLs."""

from django.urls import path

from guanxi.customers import bulk_views, group_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("bulk/", bulk_views.customer_bulk, name="bulk"),
    path("groups/", group_views.group_list, name="groups"),
    path("groups/<record_id:group_id>/", group_views.group_detail, name="group"),
    path(
        "groups/<record_id:group_id>/members/",
        group_views.group_remove_members,
        name="group_members",
    ),
    path("groups/<record_id:group_id>/delete/", group_views.group_delete, name="group_delete"),
    path("export.csv", views.customer_export, {"kind": "csv"}, name="export_csv"),
    path("export.xlsx", views.customer_export, {"kind": "xlsx"}, name="export_xlsx"),
    path("<record_id:customer_id>/", views.customer_detail, name="detail"),
    path("<record_id:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<record_id:customer_id>/lifecycle/", views.customer_lifecycle, name="lifecycle"),
    path("<record_id:customer_id>/reveal/<str:field>/", views.customer_reveal, name="reveal"),
]
