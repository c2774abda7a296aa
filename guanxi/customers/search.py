"""The one search box: what a query string means and which indexed columns it hits.

A query becomes :class:`SearchTerms`: which columns it is compared with and how (its shape),
and the values compared. Queries of the same shape make the same SQL, so the customer list
compiles each shape once (``guanxi.compiled_query``) and only binds the values.
"""

import re
from dataclasses import dataclass

import phonenumbers
from django.db.models import Q
from stdnum.cn import ric, uscc

from guanxi.customers.identity import DEFAULT_REGION
from guanxi.customers.pinyin import pinyin_key

# The highest code point: "abc" <= x < "abc\U0010ffff" is a prefix test that any B-tree
# index answers on SQLite and on PostgreSQL databases with C collation.
PREFIX_END = "\U0010ffff"
HAN = re.compile(r"[\u3400-\u9fff]")
# Digits as people write numbers: "+86 138 0013 8000", "(010) 6552-9988", "138.0013.8000".
DIGITS = re.compile(r"^\+?[\d\s().-]+$")

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


def _phone(query: str, digits: str) -> str | None:
    """The stored (E.164) form of a phone number typed any usual way: with or without +86
    or 0086, spaces, dashes or brackets ("+8613800138000" arrives as " 8613800138000" when
    a URL's "+" was not escaped); ``None`` if the query is no phone number."""
    try:
        parsed = phonenumbers.parse(query, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if len(digits) == 11 and digits.startswith("1"):
        return "+86" + digits  # a mobile number of a block libphonenumber does not know yet
    if query.startswith("+"):
        return "+" + digits
    return None


def _credit_code(query: str) -> str | None:
    """The query as a unified social credit code, if it is a valid one."""
    return uscc.compact(query) if uscc.is_valid(query) else None


def _digits_terms(query: str) -> SearchTerms:
    digits = re.sub(r"\D", "", query)
    comparisons = [(EXACT, "external_id", query)]
    if len(digits) == 4:
        comparisons.append((EXACT, "phone_last4", digits))
    phone = _phone(query, digits)
    if phone is not None:
        comparisons.append((EXACT, "phone", phone))
    code = _credit_code(query)
    # Region codes never start with 0 ("0086 13800138000" is a phone number). A valid credit
    # code that is no valid resident ID is not compared with ID numbers, so that roles that
    # may not search by ID number can search for it.
    could_be_id = len(digits) in (15, 18) and not digits.startswith("0")
    if could_be_id and not query.startswith("+") and (code is None or ric.is_valid(digits)):
        comparisons.append((EXACT, "id_number", digits))
    if code is not None:
        comparisons.append((EXACT, "uscc", code))
    return _terms(comparisons)


def search_terms(query: str) -> SearchTerms | None:
    """What the query may mean: a name, pinyin, phone, ID, credit code, email or external ID
    (None for a blank query, which matches everyone)."""
    query = query.strip()
    if not query:
        return None
    if "@" in query:
        return _terms([(EXACT, "email", query.lower()), (EXACT, "external_id", query)])
    if DIGITS.match(query):
        return _digits_terms(query)
    upper = query.upper()
    code = [(EXACT, "uscc", c) for c in [_credit_code(query)] if c is not None]
    if re.fullmatch(r"\d{17}X", upper):
        return _terms([(EXACT, "id_number", upper), (EXACT, "external_id", query), *code])
    if HAN.search(query):
        return _terms([(PREFIX, "name", query), (EXACT, "external_id", query)])
    latin = query.lower().replace(" ", "")
    comparisons = [(PREFIX, "name_initials", latin), (PREFIX, "name", query)]
    return _terms([*comparisons, (EXACT, "external_id", query), *code], pinyin_key(latin))
