"""Request hygiene shared by pages and API."""

import json
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
