"""Turning an HTTP request into the viewer and audit context that services expect."""

from django.http import HttpRequest

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
