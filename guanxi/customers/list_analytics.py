"""Analytics in the customer list: filter and sort by what the latest analysis run found.

The scores live in the insights app (``insights.CustomerScore``, one row per customer per
run), which depends on this app, not the other way round. So this module never imports
insights: the list joins the scores through the reverse relation ``Customer.scores`` (a
``FilteredRelation`` on one run's id, passed in as a value like any filter value), and the
insights app tells it which run is current by registering a function in its
``AppConfig.ready`` (``register_current_run``). Without a finished run — or without the
insights app — an analytics filter matches nobody and an analytics sort is the name order.

The codes come from the analytics library (no Django, no cycle): the RFM segments, the
pyramid levels and the churn rules' reason codes.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guanxi.analytics.churn_rules import REASON_TEMPLATES
from guanxi.analytics.pyramid import LEVEL_NAMES
from guanxi.analytics.rfm import SEGMENT_NAMES
from guanxi.core.registry import Registry

SEGMENTS = SEGMENT_NAMES
LEVELS = dict(LEVEL_NAMES)
CHURN_KINDS = tuple(REASON_TEMPLATES)  # SPEND_DROP, OVERDUE, LOW_P_ALIVE
ANALYTICS_KEYS: tuple[str, ...] = ("segment", "pyramid_level", "churn_warning", "churn_kind")
ANALYTICS_KEYS += ("churn_priority", "min_score")
# The list's sorts by a score of the current run, and the score's column.
ANALYTICS_SORTS = {"-value_at_risk": "value_at_risk", "-score": "score", "-clv": "clv"}
ANALYTICS_SORTS |= {"-value": "value", "-aum": "aum"}
ANALYTICS_SORTS |= {"-profit_12m": "profit_12m", "profit_12m": "profit_12m"}
TRUE_VALUES = ("true", "1", "yes", "on")
FALSE_VALUES = ("false", "0", "no", "off", "")

_current_run: Registry[Callable[[], int | None]] = Registry("current analysis run")


def register_current_run(source: Callable[[], int | None]) -> None:
    """Tell the list how to find the current analysis run's id (the insights app does)."""
    _current_run.register("current", source)


def current_run_id() -> int | None:
    """The id of the run whose scores the list shows and filters by, or None."""
    source = _current_run.get("current")
    return source() if source is not None else None


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def segment_choices() -> list[tuple[str, str]]:
    """The RFM segments as (code, name in the active language)."""
    return [(code, names[1] if _chinese() else names[0]) for code, names in SEGMENTS.items()]


def level_choices() -> list[tuple[str, str]]:
    """The pyramid levels as (code, name in the active language)."""
    return [(code, names[1] if _chinese() else names[0]) for code, names in LEVELS.items()]


def churn_kind_choices() -> list[tuple[str, str]]:
    """The churn rules as (reason code, what fired)."""
    names = {
        "SPEND_DROP": _("Spend dropped"),
        "OVERDUE": _("Overdue purchase"),
        "LOW_P_ALIVE": _("Top-value customer unlikely active"),
    }
    return [(code, names.get(code, code)) for code in CHURN_KINDS]


def segment_label(code: str | None) -> str:
    """An RFM segment's name in the active language ("" for none)."""
    names = SEGMENTS.get(code or "")
    return (names[1] if _chinese() else names[0]) if names else (code or "")


def _flag(value: object, name: str, errors: dict) -> bool:
    text = str(value).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text not in FALSE_VALUES:
        errors[name] = [_("Expected true or false.")]
    return False


def clean_analytics_filter(raw: dict) -> dict:
    """Validate the analytics filters of a list (not part of saved-filter groups).

    Unknown codes are refused naming the parameter. ``churn_warning`` and
    ``churn_priority`` only narrow when true; ``min_score`` is a whole number 0–100.
    """
    errors: dict = {}
    clean: dict = {}
    known = {"segment": SEGMENTS, "pyramid_level": LEVELS, "churn_kind": CHURN_KINDS}
    messages = {
        "segment": _("Unknown RFM segment."),
        "pyramid_level": _("Unknown pyramid level."),
        "churn_kind": _("Unknown churn warning kind."),
    }
    for key, codes in known.items():
        value = raw.get(key)
        if value in (None, ""):
            continue
        if str(value) not in codes:
            errors[key] = [messages[key]]
        clean[key] = str(value)
    for key in ("churn_warning", "churn_priority"):
        if raw.get(key) not in (None, "") and _flag(raw[key], key, errors):
            clean[key] = True
    if raw.get("min_score") not in (None, ""):
        try:
            score = int(str(raw["min_score"]))
        except ValueError:
            score = -1
        if not 0 <= score <= 100:
            errors["min_score"] = [_("A whole number from 0 to 100.")]
        clean["min_score"] = score
    if errors:
        raise ValidationError(errors)
    return clean
