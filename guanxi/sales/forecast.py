"""The weighted forecast: open opportunities' amounts times their probability, grouped by
expected close month, owner, the owner's team, or branch, within the viewer's scope.

One grouped query per forecast, whatever the number of opportunities.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi import policy
from guanxi.org.models import Branch, Profile, Team
from guanxi.sales.models import StageKind
from guanxi.sales.selectors import opportunities_in_scope

GROUPINGS = {
    "month": gettext_lazy("Month"),
    "owner": gettext_lazy("Owner"),
    "team": gettext_lazy("Team"),
    "branch": gettext_lazy("Branch"),
}
_COLUMNS = {"owner": "owner_id", "team": "owner__profile__team_id", "branch": "branch_id"}
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class ForecastRow:
    """One group of the forecast: its key, label, open count, amount and weighted amount."""

    key: str
    label: str
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class Forecast:
    """The rows of a forecast and their totals."""

    by: str
    rows: list[ForecastRow]
    count: int
    amount: Decimal
    weighted: Decimal


def _labels(by: str, keys: list) -> dict:
    ids = [k for k in keys if k is not None]
    if by == "owner":
        return {
            p.user_id: p.display_name or p.user.get_username()
            for p in Profile.objects.filter(user_id__in=ids).select_related("user")
        }
    if by == "team":
        return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    if by == "branch":
        return dict(Branch.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {}


def forecast_for_user(
    *,
    viewer: policy.Viewer,
    by: str = "month",
    close_from: date | None = None,
    close_to: date | None = None,
    pipeline_id: int | None = None,
) -> Forecast:
    """The weighted forecast of the viewer's open opportunities, grouped ``by`` month,
    owner, team or branch; opportunities without an expected close date form their own
    group ("no date") in the month view."""
    policy.require(viewer, "opportunity.view")
    if by not in GROUPINGS:
        raise ValidationError({"by": [_("Group by month, owner, team or branch.")]})
    if close_from and close_to and close_from > close_to:
        raise ValidationError({"close_to": [_("The end is before the start.")]})
    found = opportunities_in_scope(viewer).filter(status=StageKind.OPEN)
    if close_from:
        found = found.filter(expected_close_date__gte=close_from)
    if close_to:
        found = found.filter(expected_close_date__lte=close_to)
    if pipeline_id is not None:
        found = found.filter(pipeline_id=pipeline_id)
    key = TruncMonth("expected_close_date") if by == "month" else F(_COLUMNS[by])
    weighted = ExpressionWrapper(
        F("amount") * F("probability"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )
    grouped = list(
        found.order_by()
        .annotate(group=key)
        .values("group")
        .annotate(n=Count("id"), total=Sum("amount"), weighted_total=Sum(weighted))
        .order_by("group")
    )
    labels = _labels(by, [row["group"] for row in grouped])
    rows = []
    for row in grouped:
        group = row["group"]
        if by == "month":
            label = f"{group:%Y-%m}" if group else _("No close date")
        else:
            label = labels.get(group) or _("None")
        rows.append(
            ForecastRow(
                key="" if group is None else (f"{group:%Y-%m}" if by == "month" else str(group)),
                label=str(label),
                count=row["n"],
                amount=Decimal(row["total"] or 0).quantize(CENTS),
                weighted=(Decimal(row["weighted_total"] or 0) / 100).quantize(CENTS),
            )
        )
    if by == "month":  # no date last
        rows.sort(key=lambda r: (r.key == "", r.key))
    return Forecast(
        by=by,
        rows=rows,
        count=sum(r.count for r in rows),
        amount=sum((r.amount for r in rows), Decimal(0)),
        weighted=sum((r.weighted for r in rows), Decimal(0)),
    )
