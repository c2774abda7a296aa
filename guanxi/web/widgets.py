"""Form widgets shared by the pages of every domain."""

from django import forms


class DatePicker(forms.DateInput):
    """The browser's date picker.

    An ``<input type="date">`` only accepts ISO dates; Django would otherwise render the
    active locale's format (``1985/06/15`` in Chinese), which the browser discards, so
    an untouched date would be submitted empty and cleared.
    """

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
