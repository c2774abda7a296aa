"""The desk's analyses of its cases: which root causes come most often and cost most (the
Pareto), who and which product are complained about again, whether a corrective action
stopped a cause recurring, how long cases take to resolve by category, department, branch
and agent, how long each department holds the cases given to it, and what customers need
by category month by month.

Every figure counts the cases the viewer may read (``case.analyse``). A period is the days
``[start, end)`` in the active time zone. The Pareto reads the partial index
``case_resolved_cause`` alone (resolved complaints by cause and cost).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.customers.models import Customer, Product
from guanxi.org.models import Branch, Profile
from guanxi.service.case_models import (
    Case,
    CaseAssignment,
    CaseCategory,
    CorrectiveAction,
    RootCause,
)
from guanxi.service.case_types import CaseType, Department

# Before and after a corrective action, complaints are counted over this many days.
RECURRENCE_WINDOW = 90
REPEAT_LIMIT = 20
BY = ("category", "department", "branch", "agent")
LONGEST_PERIOD = timedelta(days=3 * 366)


@dataclass(frozen=True)
class ParetoRow:
    """A root cause's complaints and cost in the period, and its place in the Pareto."""

    root_cause_id: int
    label: str
    complaints: int
    cost: Decimal
    share: float
    cumulative: float
    cost_share: float


@dataclass(frozen=True)
class RepeatRow:
    """A customer or product complained about more than once in the period."""

    id: int
    label: str
    complaints: int


@dataclass(frozen=True)
class RecurrenceRow:
    """A corrective action and the complaints with its cause in the windows around it."""

    action: CorrectiveAction
    before: int
    after: int

    @property
    def change(self) -> float | None:
        """The relative change from before to after (``None`` when nothing came before)."""
        return (self.after - self.before) / self.before if self.before else None


@dataclass(frozen=True)
class ResolutionRow:
    """How long resolved cases of one group took, from receipt to resolution."""

    key: str | int | None
    label: str
    cases: int
    mean_hours: float
    within_target: float


def analysis_period(*, start: date | None, end: date | None) -> tuple[date, date]:
    """The days ``[start, end)`` an analysis covers, checked: the last 365 days when not
    given; a ``ValidationError`` names the field at fault."""
    end = end or timezone.localdate() + timedelta(days=1)
    start = start or end - timedelta(days=365)
    if start >= end:
        raise ValidationError({"end": [_("The end must come after the start.")]})
    if end - start > LONGEST_PERIOD:
        raise ValidationError({"start": [_("A period is at most three years.")]})
    return start, end


def _cases(viewer: policy.Viewer) -> QuerySet[Case]:
    policy.require(viewer, "case.analyse")
    return policy.scoped(viewer, Case.objects.all(), "case.analyse")


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _resolved_within(viewer: policy.Viewer, start: date, end: date) -> QuerySet[Case]:
    return _cases(viewer).filter(resolved_at__gte=_moment(start), resolved_at__lt=_moment(end))


def root_cause_pareto(*, viewer: policy.Viewer, start: date, end: date) -> list[ParetoRow]:
    """The root causes of complaints resolved in the period, most frequent first, each
    with its cost (compensation paid) and cumulative share of the complaints."""
    rows = list(
        _resolved_within(viewer, start, end)
        .filter(root_cause__isnull=False, case_type=CaseType.COMPLAINT)
        .values("root_cause_id")
        .annotate(n=Count("*"), cost=Sum("compensation"))
        .order_by("-n", "root_cause_id")
    )
    causes = RootCause.objects.in_bulk([r["root_cause_id"] for r in rows])
    total = sum(r["n"] for r in rows) or 1
    total_cost = sum((r["cost"] or Decimal(0) for r in rows), Decimal(0))
    found, running = [], 0
    for r in rows:
        running += r["n"]
        cost = r["cost"] or Decimal(0)
        found.append(
            ParetoRow(
                root_cause_id=r["root_cause_id"],
                label=causes[r["root_cause_id"]].label,
                complaints=r["n"],
                cost=cost,
                share=r["n"] / total,
                cumulative=running / total,
                cost_share=float(cost / total_cost) if total_cost else 0.0,
            )  # fmt: skip
        )
    return found


def repeat_complaints(
    *, viewer: policy.Viewer, start: date, end: date, by: str = "customer"
) -> list[RepeatRow]:
    """The customers (``by="customer"``) or products (``"product"``) with two complaints or
    more received in the period, most first."""
    column = {"customer": "customer_id", "product": "product_id"}[by]
    rows = list(
        _cases(viewer)
        .filter(case_type=CaseType.COMPLAINT, created_at__gte=_moment(start))
        .filter(created_at__lt=_moment(end), **{f"{column}__isnull": False})
        .values(column)
        .annotate(n=Count("*"))
        .filter(n__gte=2)
        .order_by("-n", column)[:REPEAT_LIMIT]
    )
    model = Customer if by == "customer" else Product
    names = dict(model.objects.filter(pk__in=[r[column] for r in rows]).values_list("pk", "name"))
    return [
        RepeatRow(id=r[column], label=names.get(r[column], ""), complaints=r["n"]) for r in rows
    ]


def recurrence_after_actions(*, viewer: policy.Viewer) -> list[RecurrenceRow]:
    """Each corrective action, newest first, with the complaints naming its cause received
    in the ``RECURRENCE_WINDOW`` days before it and after it (one query per action)."""
    cases = _cases(viewer).filter(case_type=CaseType.COMPLAINT)
    window = timedelta(days=RECURRENCE_WINDOW)
    found = []
    for action in CorrectiveAction.objects.select_related("root_cause").order_by("-taken_on")[:50]:
        taken = _moment(action.taken_on)
        counts = cases.filter(root_cause_id=action.root_cause_id).aggregate(
            before=Count("pk", filter=Q(created_at__gte=taken - window, created_at__lt=taken)),
            after=Count("pk", filter=Q(created_at__gte=taken, created_at__lt=taken + window)),
        )
        found.append(RecurrenceRow(action=action, before=counts["before"], after=counts["after"]))
    return found


def _labels(by: str, keys: list) -> dict:
    present = [k for k in keys if k is not None]
    if by == "category":
        return {c.pk: c.label for c in CaseCategory.objects.filter(pk__in=present)}
    if by == "department":
        return {k: str(Department(k).label) for k in present if k in Department.values}
    if by == "branch":
        return dict(Branch.objects.filter(pk__in=present).values_list("pk", "name"))
    return {
        p.user_id: p.display_name or p.user.get_username()
        for p in Profile.objects.filter(user_id__in=present).select_related("user")
    }


def resolution_times(
    *, viewer: policy.Viewer, start: date, end: date, by: str = "category"
) -> list[ResolutionRow]:
    """The cases resolved in the period grouped ``by`` category, department (the queue's),
    branch or agent: how many, their mean hours from receipt to resolution, and the share
    resolved by their deadline; slowest first."""
    column = {"category": "category_id", "department": "queue__kind", "branch": "branch_id",
              "agent": "owner_id"}[by]  # fmt: skip
    took = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    rows = list(
        _resolved_within(viewer, start, end)
        .values(column)
        .annotate(
            n=Count("*"),
            mean=Avg(took),
            kept=Count("pk", filter=Q(resolved_at__lte=F("resolution_due"))),
        )
        .order_by()
    )
    labels = _labels(by, [r[column] for r in rows])
    found = [
        ResolutionRow(
            key=r[column],
            label=labels.get(r[column], "—"),
            cases=r["n"],
            mean_hours=_hours(r["mean"]),
            within_target=r["kept"] / r["n"],
        )  # fmt: skip
        for r in rows
    ]
    return sorted(found, key=lambda row: (-row.mean_hours, row.label))


def _hours(mean) -> float:
    """Hours of an average duration (a timedelta, or microseconds on SQLite)."""
    if mean is None:
        return 0.0
    if isinstance(mean, timedelta):
        return mean.total_seconds() / 3600
    return float(mean) / 3_600_000_000


@dataclass(frozen=True)
class DepartmentRow:
    """How long one department held the cases given to it."""

    department: str
    label: str
    handled: int
    mean_hours: float
    holding: int


def department_times(*, viewer: policy.Viewer, start: date, end: date) -> list[DepartmentRow]:
    """Each department's hold of the cases it was given in the period: from the assignment
    into one of its queues until the case moved to another department, was resolved, or
    (``holding``) now; slowest first. An assignment within a department (to one of its
    agents) does not end its hold."""
    now = timezone.now()
    given = (
        CaseAssignment.objects.filter(case__in=_cases(viewer).values("pk"))
        .filter(at__gte=_moment(start), at__lt=_moment(end), to_queue__isnull=False)
        .values("case_id")
    )
    rows = (
        CaseAssignment.objects.filter(case_id__in=given)
        .order_by("case_id", "at", "pk")
        .values_list("case_id", "at", "to_queue__kind", "case__resolved_at")
    )
    held: dict[str, list[float]] = defaultdict(list)
    holding: dict[str, int] = defaultdict(int)
    since: tuple[int, datetime, str] | None = None

    def close(until: datetime | None) -> None:
        assert since is not None
        _case, began, kind = since
        if _moment(start) <= began < _moment(end):
            held[kind].append(((until or now) - began).total_seconds() / 3600)
            holding[kind] += until is None

    last_resolved: datetime | None = None
    for case_id, at, kind, resolved_at in rows:
        if since is not None and since[0] != case_id:
            close(last_resolved)
            since = None
        last_resolved = resolved_at
        if kind is None or (since is not None and since[2] == kind):
            continue  # given to an agent of the same department: its hold goes on
        if since is not None:
            close(at)
        since = (case_id, at, kind)
    if since is not None:
        close(last_resolved)
    found = [
        DepartmentRow(
            department=kind,
            label=str(Department(kind).label) if kind in Department.values else kind,
            handled=len(hours),
            mean_hours=sum(hours) / len(hours),
            holding=holding[kind],
        )  # fmt: skip
        for kind, hours in held.items()
    ]
    return sorted(found, key=lambda row: (-row.mean_hours, row.department))


@dataclass(frozen=True)
class NeedsByMonth:
    """Cases received per top-level category, month by month."""

    months: list[date]
    series: list[tuple[str, list[int]]]


def needs_by_month(*, viewer: policy.Viewer, start: date, end: date) -> NeedsByMonth:
    """The cases received in the period per month and top-level category (the customers'
    common needs over time); categories with most cases first."""
    rows = (
        _cases(viewer)
        .filter(created_at__gte=_moment(start), created_at__lt=_moment(end))
        .annotate(month=TruncMonth("created_at"))
        .values("month", "category_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    categories = {c.pk: c for c in CaseCategory.objects.all()}

    def top(category_id: int | None) -> CaseCategory | None:
        found = categories.get(category_id or 0)
        while found is not None and found.parent_id is not None:
            found = categories.get(found.parent_id)
        return found

    counts: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    months: set[date] = set()
    for r in rows:
        month = r["month"].date() if isinstance(r["month"], datetime) else r["month"]
        months.add(month)
        category = top(r["category_id"])
        counts[category.label if category else "—"][month] += r["n"]
    ordered = sorted(months)
    series = [(label, [by_month.get(m, 0) for m in ordered]) for label, by_month in counts.items()]
    return NeedsByMonth(ordered, sorted(series, key=lambda s: (-sum(s[1]), s[0])))
