"""Tap-to-call phone numbers: a ``tel:`` link only where the viewer sees the full number.

Whether a number is masked is the policy's decision (the row's or profile's ``masked``); this
tag only refuses to turn a masked number into a link, so a call never dials ``138****5678``.
"""

from collections.abc import Iterable

from django import template
from django.utils.html import format_html

register = template.Library()


def tel_uri(number: str) -> str:
    """The ``tel:`` URI of a number shown nationally: Chinese numbers get back their +86."""
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    return f"tel:{digits}" if digits.startswith("+") else f"tel:+86{digits}"


@register.simple_tag
def phone(number: str | None, masked: Iterable[str]) -> str:
    """``{% phone row.phone row.masked %}``: the number, a link unless ``phone`` is masked."""
    if not number:
        return ""
    if "phone" in masked:
        return format_html('<span class="masked">{}</span>', number)
    return format_html('<a href="{}" data-tel>{}</a>', tel_uri(number), number)
