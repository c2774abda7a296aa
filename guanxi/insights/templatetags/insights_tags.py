"""Template filters of the analytics pages."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A share as a percentage with one decimal (``0.4567`` -> ``45.7%``); None as a dash."""
    if value is None:
        return "—"
    return f"{number_format(value * 100, 1)}%"
