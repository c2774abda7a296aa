"""Request hygiene shared by pages and API."""

import json
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
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


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CheckRequestBody:
    """Refuse a body the product cannot store or read, with a JSON error naming the field.

    * NUL characters, in form fields or anywhere in a body of any content type (400):
      PostgreSQL cannot store NUL in text, and no legitimate CRM input contains it;
    * a body that is not UTF-8 (400), as JSON must be: the JSON parser would otherwise read
      UTF-16, and the NUL check with it;
    * an API body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413; pages keep Django's 400).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            problem = self._problem(request)
        except RequestDataTooBig:
            if not request.path.startswith("/api/"):
                raise
            message = _("The request body is larger than %(limit)s bytes.") % {
                "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            }
            return JsonResponse({"detail": [{"field": "body", "message": message}]}, status=413)
        if problem is not None:
            return JsonResponse({"detail": [problem]}, status=400)
        return self.get_response(request)

    @staticmethod
    def _problem(request: HttpRequest) -> dict | None:
        nul = _("Text may not contain the NUL character.")
        form = request.content_type in FORM_TYPES
        fields = [request.GET, request.POST] if form and request.method == "POST" else [request.GET]
        for source in fields:
            for key, values in source.lists():
                if NUL in key or any(NUL in v for v in values):
                    return {"field": key, "message": nul}
        if form:
            return None
        if not request.body:
            return None
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return {"field": "body", "message": _("Send the body in UTF-8.")}
        if NUL not in text and "\\u0000" not in text:
            return None
        try:
            return {"field": _nul_path(json.loads(text), "") or "body", "message": nul}
        except ValueError:
            return {"field": "body", "message": nul}


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
