"""What a locked-out login sees: JSON 429 on the API, a page saying so elsewhere."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from guanxi.web.views import LoginForm


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """django-axes' response after too many failed logins for one user name and address."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    message = _("Too many failed logins for this user name: try again in %(minutes)s minutes.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        detail = [{"field": "username", "message": message}]
        response = JsonResponse({"detail": detail}, status=429)
    else:
        context = {"lockout": message, "form": LoginForm(request)}
        response = render(request, "web/login.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
