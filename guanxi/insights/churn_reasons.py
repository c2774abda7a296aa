"""The churn model's reasons in the reader's language.

A run stores each customer's reasons as codes with parameters (the feature, its value, its
contribution to the churn probability; :mod:`guanxi.analytics.churn.store_model`), so the
page renders them in whichever language the viewer reads, and a new translation needs no
new run.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers.models import LifecycleStatus

_TEMPLATES = {
    "recency_days": gettext_lazy("No purchase for %(value)s days"),
    "frequency": gettext_lazy("Bought on %(value)s days in all"),
    "spend_3m": gettext_lazy("Spent %(value)s in the last 3 months"),
    "spend_prev_3m": gettext_lazy("Spent %(value)s in the 3 months before those"),
    "spend_trend": gettext_lazy("Spending trend %(value)s (−1 = stopped, +1 = only recent)"),
    "spend_12m": gettext_lazy("Spent %(value)s in the last 12 months"),
    "refunds_12m": gettext_lazy("%(value)s refunds in the last 12 months"),
    "n_products": gettext_lazy("Holds %(value)s open products"),
    "balance_deposit": gettext_lazy("Deposit balance %(value)s"),
    "balance_wealth": gettext_lazy("Wealth product balance %(value)s"),
    "balance_loan": gettext_lazy("Loan balance %(value)s"),
    "balance_plan": gettext_lazy("Plan balance %(value)s"),
    "n_contacts": gettext_lazy("%(value)s contact persons"),
    "status": gettext_lazy("Lifecycle status: %(value)s"),
    "status_changes": gettext_lazy("%(value)s lifecycle changes"),
    "tenure_days": gettext_lazy("Customer for %(value)s days"),
}
_STATUS = dict(LifecycleStatus.choices)


def _value(code: str, value: str) -> str:
    if code == "status":
        return str(_STATUS.get(value, value))
    try:
        number = float(value)
    except ValueError:  # "missing", or a label
        return _("unknown") if value == "missing" else value
    if code == "spend_trend":
        return f"{number:+.2f}"
    return f"{number:,.0f}"


def model_reasons(reasons: list[dict] | None) -> list[str]:
    """Each stored reason as one line in the active language, strongest first:
    "No purchase for 144 days (+0.25)"."""
    lines = []
    for reason in reasons or []:
        code = reason.get("code", "")
        template = _TEMPLATES.get(code)
        text = (
            template % {"value": _value(code, str(reason.get("value", "")))}
            if template
            else f"{code} = {reason.get('value')}"
        )
        lines.append(
            _("%(reason)s (raises the churn probability by %(points)s)")
            % {"reason": text, "points": f"{float(reason.get('contribution', 0)):.2f}"}
        )
    return lines
