"""Top-level URL map: the REST API under /api/v1/ and the web pages."""

from django.urls import include, path
from django.views.i18n import set_language

from guanxi.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("customers/", include("guanxi.customers.urls")),
    path("audit/", include("guanxi.audit.urls")),
    path("", include("guanxi.web.urls")),
]
