"""Why a product is suggested, worded in the viewer's language.

The analytics library gives each suggestion's reason as data (a code, the held product it
names and a share), which a run stores in ``CrossSellSuggestion.reason_data``; here it
becomes a sentence through the translation catalogue. Runs from before the data was kept
have only the library's English sentence, which is shown as it is.
"""

from django.utils.translation import gettext as _

from guanxi.insights.models import CrossSellSuggestion


def _percent(share: float) -> str:
    return f"{share:.0%}"


def suggestion_reason(suggestion: CrossSellSuggestion) -> str:
    """The reason ``suggestion`` was made, in the active language (select its product)."""
    data = suggestion.reason_data
    if not data or data.get("share") is None:
        return suggestion.reason
    values = {"share": _percent(data["share"]), "product": suggestion.product.name}
    if data.get("code") == "co_held" and data.get("held"):
        return _("%(share)s of customers holding %(held)s also hold %(product)s") % {
            **values,
            "held": data["held"],
        }
    if data.get("code") == "popular":
        return _("held by %(share)s of customers") % values
    return suggestion.reason  # a code this version does not know: the stored English
