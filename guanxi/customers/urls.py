"""Customer page URLs."""

from django.urls import path

from guanxi.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/lifecycle/", views.customer_lifecycle, name="lifecycle"),
    path("<int:customer_id>/reveal/<str:field>/", views.customer_reveal, name="reveal"),
]
