"""Record ids in page URLs: digits that a 64-bit id column can hold, anything else a 404."""

from guanxi.storable import MAX_RECORD_ID


class RecordIdConverter:
    """``<record_id:customer_id>``: a positive id the databases can store, else no match."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        """The id, or ValueError (Django then tries the next pattern and ends in 404)."""
        number = int(value)
        if not 1 <= number <= MAX_RECORD_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        """The id as written in a URL."""
        return str(value)
