"""Request hygiene shared by pages and API."""

import json
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def _nul_path(value: object, path: str) -> str | None:
    """The dotted path of the first string containing NUL inside a JSON value."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if NUL in str(key):
            return f"{path}.{key}".lstrip(".")
        found = _nul_path(item, f"{path}.{key}".lstrip("."))
        if found:
            return found
    return None


class RejectNulCharacters:
    """Refuse text containing the NUL character with a 400 naming the field.

    PostgreSQL cannot store NUL in text and would fail the request with a server error;
    no legitimate CRM input contains it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = self._offending_field(request)
        if field is not None:
            message = _("Text may not contain the NUL character.")
            return JsonResponse({"detail": [{"field": field, "message": message}]}, status=400)
        return self.get_response(request)

    @staticmethod
    def _offending_field(request: HttpRequest) -> str | None:
        sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        for source in sources:
            for key, values in source.lists():
                if NUL in key or any(NUL in v for v in values):
                    return key
        if request.content_type == "application/json" and b"\\u0000" in request.body:
            try:
                return _nul_path(json.loads(request.body), "") or "body"
            except ValueError:
                return None
        return None


class NoStoreByDefault:
    """``Cache-Control: no-store`` on every response a view made, unless the view said otherwise.

    Pages and API answers carry personal data (the customer list, the 360 view, the audit
    log), which no browser or proxy cache may keep. Static files never get here: whitenoise,
    above this middleware, answers them with their long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class SlidingSessionExpiry:
    """End a session ``SESSION_COOKIE_AGE`` seconds after its last request, not after its login.

    Saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) would cost a write
    per page view; renewing it at most once a minute keeps the idle time-out within a minute.
    """

    RENEW_AFTER_SECONDS = 60
    KEY = "_guanxi_renewed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        renewed = session.get(self.KEY, 0)
        if session.session_key is None:  # no session (a bearer-token call, or logged out)
            return response
        now = int(time.time())
        if now - renewed >= self.RENEW_AFTER_SECONDS:
            session[self.KEY] = now  # marks the session modified: saved with a new expiry
        return response
