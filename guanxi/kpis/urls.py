"""Process-KPI page URLs (the navigation's "Process KPIs" entry points at ``kpis:dashboard``)."""

from django.urls import path

from guanxi.kpis import views

app_name = "kpis"
urlpatterns = [path("", views.dashboard, name="dashboard")]
