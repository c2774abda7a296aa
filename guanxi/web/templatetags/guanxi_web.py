"""Template filters shared by the pages of every domain."""

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django import template
from django.db.models import Choices
from django.http import QueryDict
from django.utils.translation import get_language

from guanxi.web.record_urls import record_url

register = template.Library()


@register.simple_tag(name="record_url")
def record_url_tag(name: str, record_id: int) -> str:
    """``{% record_url 'customers:detail' c.pk %}``: ``{% url %}`` for one record's page,
    without reversing the pattern for every row (``guanxi.web.record_urls``)."""
    return record_url(name, record_id)


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
    params: dict[str, object] = {k: v for k, v in query.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    return "?" + urlencode(params)


CURRENCY = "¥"
# Chinese readers count large sums in 万 (10^4) and 亿 (10^8); English readers in K and M.
BRIEF_UNITS = {
    "zh": ((Decimal(10**8), "亿"), (Decimal(10**4), "万")),
    "en": ((Decimal(10**6), "M"), (Decimal(10**3), "K")),
}


def _amount(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


@register.filter
def money(value: object) -> str:
    """An amount in full with its currency and thousands separators: ``¥1,234,567.80``."""
    amount = _amount(value)
    if amount is None:
        return "—"
    return f"{'-' if amount < 0 else ''}{CURRENCY}{abs(amount):,.2f}"


@register.filter
def money_brief(value: object) -> str:
    """A headline amount in the units the reader counts in: ``¥123.46万`` in Chinese,
    ``¥1.23M`` in English; below the smallest unit, in full."""
    amount = _amount(value)
    if amount is None:
        return "—"
    language = "zh" if (get_language() or "").startswith("zh") else "en"
    for size, unit in BRIEF_UNITS[language]:
        if abs(amount) >= size:
            return f"{'-' if amount < 0 else ''}{CURRENCY}{abs(amount) / size:,.2f}{unit}"
    return money(amount)
