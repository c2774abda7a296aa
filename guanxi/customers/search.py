"""The one search box: what a query string means and which indexed columns it hits.

A query becomes :class:`SearchTerms`: which columns it is compared with and how (its shape),
and the values compared. Queries of the same shape make the same SQL, so the customer list
compiles each shape once (``guanxi.compiled_query``) and only binds the values.
"""

import re
from dataclasses import dataclass

from django.db.models import Q

from guanxi.customers.pinyin import pinyin_key

# The highest code point: "abc" <= x < "abc\U0010ffff" is a prefix test that any B-tree
# index answers on SQLite and on PostgreSQL databases with C collation.
PREFIX_END = "\U0010ffff"
HAN = re.compile(r"[\u3400-\u9fff]")
DIGITS = re.compile(r"^\+?[\d\s-]+$")

EXACT, PREFIX = "exact", "prefix"
# Columns that identify a person, and the personal field each one reads: searching by
# them answers "is there a customer with this ID?", which is a read of that field.
IDENTIFYING_COLUMNS = {
    "phone": "phone",
    "phone_last4": "phone",
    "id_number": "id_number",
    "email": "email",
}


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


# A shape: the (how, column) comparisons of the rest, and whether the pinyin prefix is one.
SearchShape = tuple[tuple[tuple[str, str], ...], bool]


@dataclass(frozen=True)
class SearchTerms:
    """The comparisons a query string stands for, and the values they compare with."""

    comparisons: tuple[tuple[str, str], ...]
    values: dict[str, str]

    @property
    def shape(self) -> SearchShape:
        """What decides the SQL: the comparisons, not their values."""
        return (self.comparisons, "pinyin" in self.values)

    @property
    def identifying(self) -> dict[str, str]:
        """The personal fields these terms compare with, and the value compared with each."""
        return {
            IDENTIFYING_COLUMNS[column]: self.values[f"q{i}"]
            for i, (_how, column) in enumerate(self.comparisons)
            if column in IDENTIFYING_COLUMNS
        }

    def condition(self) -> SearchCondition:
        """The condition with these terms' own values."""
        return search_condition(self.shape, self.values)


def search_condition(shape: SearchShape, values: dict) -> SearchCondition:
    """The condition of a search shape comparing with ``values``, named as ``search_terms``
    names them. Values may be stand-ins: nothing here is computed from them."""
    comparisons, has_pinyin = shape
    rest = Q()
    for i, (how, column) in enumerate(comparisons):
        if how == EXACT:
            rest |= Q(**{column: values[f"q{i}"]})
        else:
            rest |= Q(**{f"{column}__gte": values[f"q{i}"], f"{column}__lt": values[f"q{i}_end"]})
    pinyin = None
    if has_pinyin:
        pinyin = Q(name_pinyin__gte=values["pinyin"], name_pinyin__lt=values["pinyin_end"])
    return SearchCondition(rest, pinyin)


def _terms(comparisons: list[tuple[str, str, str]], pinyin: str | None = None) -> SearchTerms:
    shape = tuple((how, column) for how, column, _value in comparisons)
    values = {}
    for i, (how, _column, value) in enumerate(comparisons):
        values[f"q{i}"] = value
        if how == PREFIX:
            values[f"q{i}_end"] = value + PREFIX_END
    if pinyin is not None:
        values.update(pinyin=pinyin, pinyin_end=pinyin + PREFIX_END)
    return SearchTerms(shape, values)


def _digits_terms(query: str) -> SearchTerms:
    digits = re.sub(r"\D", "", query)
    comparisons = [(EXACT, "external_id", query)]
    if len(digits) == 4:
        comparisons.append((EXACT, "phone_last4", digits))
    if len(digits) == 11 and digits.startswith("1"):
        comparisons.append((EXACT, "phone", "+86" + digits))
    elif query.startswith("+"):
        comparisons.append((EXACT, "phone", "+" + digits))
    if len(digits) in (15, 18):
        comparisons.append((EXACT, "id_number", digits))
    return _terms(comparisons)


def search_terms(query: str) -> SearchTerms | None:
    """What the query may mean: a name, pinyin, phone, ID, email or external ID (None for a
    blank query, which matches everyone)."""
    query = query.strip()
    if not query:
        return None
    if "@" in query:
        return _terms([(EXACT, "email", query.lower()), (EXACT, "external_id", query)])
    if DIGITS.match(query):
        return _digits_terms(query)
    upper = query.upper()
    if re.fullmatch(r"\d{17}X", upper):
        return _terms([(EXACT, "id_number", upper), (EXACT, "external_id", query)])
    if HAN.search(query):
        return _terms([(PREFIX, "name", query), (EXACT, "external_id", query)])
    latin = query.lower().replace(" ", "")
    comparisons = [(PREFIX, "name_initials", latin), (PREFIX, "name", query)]
    return _terms([*comparisons, (EXACT, "external_id", query)], pinyin_key(latin))
