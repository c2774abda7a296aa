"""The one search box: what a query string means and which indexed columns it hits."""

import re
from dataclasses import dataclass

from django.db.models import Q

from guanxi.customers.pinyin import pinyin_key

# The highest code point: "abc" <= x < "abc\U0010ffff" is a prefix test that any B-tree
# index answers on SQLite and on PostgreSQL databases with C collation.
PREFIX_END = "\U0010ffff"
HAN = re.compile(r"[\u3400-\u9fff]")
DIGITS = re.compile(r"^\+?[\d\s-]+$")


def prefix(field: str, value: str) -> Q:
    """``field`` starts with ``value``, as an index range."""
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + PREFIX_END})


def _digits_condition(query: str) -> Q:
    digits = re.sub(r"\D", "", query)
    condition = Q(external_id=query)
    if len(digits) == 4:
        condition |= Q(phone_last4=digits)
    if len(digits) == 11 and digits.startswith("1"):
        condition |= Q(phone="+86" + digits)
    elif query.startswith("+"):
        condition |= Q(phone="+" + digits)
    if len(digits) in (15, 18):
        condition |= Q(id_number=digits)
    return condition


@dataclass(frozen=True)
class SearchCondition:
    """What a query matches, in two parts.

    ``pinyin`` is a prefix of the pinyin key, whose index already lists its matches in name
    order, so the first page of them costs a page of index entries however many there are;
    ``rest`` is everything else the query may mean.
    """

    rest: Q
    pinyin: Q | None = None

    @property
    def any(self) -> Q:
        """Customers matching either part."""
        return self.rest if self.pinyin is None else self.pinyin | self.rest


def search_condition(query: str) -> SearchCondition:
    """Customers matching the query by name, pinyin, phone, ID, email or external ID."""
    query = query.strip()
    if not query:
        return SearchCondition(Q())
    if "@" in query:
        return SearchCondition(Q(email=query.lower()) | Q(external_id=query))
    if DIGITS.match(query):
        return SearchCondition(_digits_condition(query))
    upper = query.upper()
    if re.fullmatch(r"\d{17}X", upper):
        return SearchCondition(Q(id_number=upper) | Q(external_id=query))
    if HAN.search(query):
        return SearchCondition(prefix("name", query) | Q(external_id=query))
    latin = query.lower().replace(" ", "")
    return SearchCondition(
        rest=prefix("name_initials", latin) | prefix("name", query) | Q(external_id=query),
        pinyin=prefix("name_pinyin", pinyin_key(latin)),
    )
