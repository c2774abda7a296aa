"""Top-level URL map: the REST API under /api/v1/ and the web pages."""

from django.urls import include, path

from guanxi.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("customers/", include("guanxi.customers.urls")),
    path("audit/", include("guanxi.audit.urls")),
    path("analytics/", include("guanxi.insights.urls")),
    path("", include("guanxi.web.urls")),
]
