"""The lifecycle status badge's colour, by what the status means (``lifecycle.TONES``)."""

from django import template

from guanxi.customers.lifecycle import TONES

register = template.Library()


@register.filter
def lifecycle_badge(status: str) -> str:
    """The badge classes of a status: ``{{ p.status|lifecycle_badge }}`` → ``bg-green-lt``."""
    tone = TONES.get(status, "secondary")
    return f"bg-{tone}-lt"
