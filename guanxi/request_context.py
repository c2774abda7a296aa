"""Turning an HTTP request into the viewer, audit context and paging that services expect."""

from django.http import HttpRequest

from guanxi.api_types import MAX_PAGE
from guanxi.audit.services import RequestContext
from guanxi.policy import Viewer


def viewer_of(request: HttpRequest) -> Viewer:
    """The policy's view of the logged-in user."""
    return Viewer.of(request.user)


def context_of(request: HttpRequest, channel: str) -> RequestContext:
    """Where the request came from and, if the client said so, for what purpose."""
    return RequestContext(
        ip_address=request.META.get("REMOTE_ADDR"),
        channel=channel,
        purpose=request.headers.get("X-Purpose", "")[:300],
    )


def page_number(request: HttpRequest) -> int:
    """The ``page`` a page view was asked for: 1 when missing or not a number, at most 10^6."""
    try:
        return min(max(int(request.GET.get("page") or 1), 1), MAX_PAGE)
    except ValueError:
        return 1
