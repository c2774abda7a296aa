"""Page URLs of records (``/customers/42/``), reversed once per URL name, not per record.

Lists render hundreds of links to records; Django's ``reverse`` took about 40 µs each, a
tenth of a busy page. Every such URL is the same text around the record id
(``guanxi.record_ids``), so the text is found once and the id put in between.
"""

from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# An id no URL otherwise contains: the reversed URL is cut around it.
_PLACEHOLDER = "1357924680135792468"


@lru_cache(maxsize=256)
def _around_id(name: str, urlconf: str | None, script_prefix: str) -> tuple[str, str]:
    url = reverse(name, urlconf=urlconf, args=[_PLACEHOLDER])
    before, found, after = url.partition(_PLACEHOLDER)
    if not found:
        raise NoReverseMatch(f"{name} does not take a record id")
    return before, after


def record_url(name: str, record_id: int) -> str:
    """The URL ``reverse(name, args=[record_id])`` gives, for a pattern with one record id."""
    before, after = _around_id(name, get_urlconf(), get_script_prefix())
    return f"{before}{int(record_id)}{after}"
