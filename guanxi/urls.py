"""Top-level URL map: the REST API under /api/v1/ and the web pages."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path, register_converter
from django.utils.translation import gettext as _

from guanxi.api import api
from guanxi.record_ids import RecordIdConverter

# Before the apps' URL maps are included, which use it.
register_converter(RecordIdConverter, "record_id")


def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other path under /api/ (an unknown endpoint, a malformed id) is a JSON 404."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("customers/", include("guanxi.customers.urls")),
    path("audit/", include("guanxi.audit.urls")),
    path("analytics/", include("guanxi.insights.urls")),
    path("activities/", include("guanxi.activities.urls")),
    path("sales/", include("guanxi.sales.urls")),
    path("leads/", include("guanxi.leads.urls")),
    path("service/", include("guanxi.service.urls")),
    path("calendar/", include("guanxi.scheduling.urls")),
    path("plans/", include("guanxi.plans.urls")),
    path("staff/", include("guanxi.org.urls")),
    path("kpis/", include("guanxi.kpis.urls")),
    path("", include("guanxi.web.urls")),
]
