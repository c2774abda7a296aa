"""Plan page URLs."""

from django.urls import path

from guanxi.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plans_page, name="page"),
    path("new/", views.plan_new, name="new"),
    path("<record_id:plan_id>/", views.plan_detail, name="detail"),
    path("<record_id:plan_id>/items/", views.item_add, name="item_add"),
    path(
        "<record_id:plan_id>/items/<record_id:item_id>/remove/",
        views.item_remove,
        name="item_remove",
    ),
    path("<record_id:plan_id>/targets/", views.targets_set, name="targets"),
    path("<record_id:plan_id>/review/", views.review, name="review"),
]
