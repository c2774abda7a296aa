"""Template filters shared by the pages of every domain."""

from urllib.parse import urlencode

from django import template
from django.db.models import Choices
from django.http import QueryDict

register = template.Library()


@register.filter
def label(value: object, choices: type[Choices]) -> str:
    """The translated label of a stored choice value, e.g. ``{{ p.status|label:Status }}``.

    Unknown values are shown as stored rather than hidden, so bad data stays visible.
    """
    if value in (None, ""):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.simple_tag
def query_with(query: QueryDict, **changes: object) -> str:
    """The current query string with some parameters replaced (for paging and sort links)."""
    params = {k: v for k, v in query.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    return "?" + urlencode(params)
