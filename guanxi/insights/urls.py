"""Analytics page URLs (the navigation's "Analytics" entry points at ``analytics:list``)."""

from django.urls import path

from guanxi.insights import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="list"),
    path("runs/", views.run_now, name="run"),
    path("kpis/", views.kpis, name="kpis"),
]
