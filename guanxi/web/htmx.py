"""HTMX request helpers shared by the pages of every domain."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Whether HTMX sent the request and expects a fragment rather than a page.

    When the back button misses HTMX's history cache, HTMX asks again for the whole
    page (``HX-History-Restore-Request``); that request must get the full page.
    """
    headers = request.headers
    return (
        headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
    )
