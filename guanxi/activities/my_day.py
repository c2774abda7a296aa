"""My day: the account manager's landing page, as one structure the page and the API share.

* ``agenda`` — today's activities the viewer logged or takes part in, and tasks due today;
* ``overdue`` — the viewer's open items due (or planned) before today;
* ``churn`` — customers of the viewer's portfolio (record scope) that the latest finished
  analysis run warns about and the run before did not, with the reason;
* ``neglected`` — top-tier customers of the portfolio past their contact rule;
* ``leads`` — leads waiting for a first response: the viewer's own, the team's for a team
  lead, and those escalated to the viewer (``guanxi.leads.selectors.leads_waiting``);
* ``birthdays`` — customers of the portfolio born on this day, shown as the viewer may see
  the birthday (a role that may not see it gets no line), and the read is audited.
"""

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from guanxi import policy
from guanxi.activities import contact_rules, workflow
from guanxi.activities.models import Activity, ActivityStatus
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.core.united_parts import first_ids
from guanxi.customers.models import Customer
from guanxi.customers.yearly_days import dates_falling_on
from guanxi.insights.models import AnalysisRun, CustomerScore, NewChurnWarning
from guanxi.insights.selectors import churn_reason
from guanxi.leads.selectors import leads_waiting

SHOWN = 20  # lines per section
LIVE = [s for s in ActivityStatus.values if s != ActivityStatus.CANCELLED]


def _today_bounds() -> tuple[datetime, datetime]:
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    start = datetime.combine(today, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def _line(a: Activity) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "status": a.status,
        "subject": a.subject,
        "starts_at": a.starts_at,
        "due_on": a.due_on,
        "customer_id": a.customer_id,
        "customer_name": a.about_name() if a.customer_id else "",
        # About a lead alone (not converted yet): the line names and links the lead.
        "lead_id": a.lead_id if a.customer_id is None else None,
        "lead_name": a.about_name() if a.customer_id is None else "",
        "version": a.version,
        "can_complete": ActivityStatus.DONE in workflow.moves_from(a.status),
        "can_reschedule": a.status in workflow.RESCHEDULABLE,
    }


def agenda(viewer: policy.Viewer) -> list[dict]:
    """Today's activities and tasks due today, by time (two queries): what the viewer owns
    starting today, owns due today, and takes part in starting today, united
    (``guanxi.core.united_parts``)."""
    start, end = _today_bounds()
    today = timezone.localdate()
    live = Activity.objects.filter(status__in=LIVE)
    user = viewer.user_id or 0  # no person (a system viewer): no id matches
    # Due today: one part per status, so each reads (owner, status, due_on) with equality
    # on all three; with an IN on the status SQLite read all the owner's activities instead.
    due_today = [
        Activity.objects.filter(owner_id=user, status=status, due_on=today) for status in LIVE
    ]
    parts = [
        live.filter(owner_id=user, starts_at__gte=start, starts_at__lt=end),
        *due_today,
        live.filter(participants__id=user, starts_at__gte=start, starts_at__lt=end),
    ]
    ids = first_ids(parts, "starts_at", SHOWN)
    rows = Activity.objects.filter(pk__in=ids).select_related("customer", "lead")
    return [_line(a) for a in rows.order_by("starts_at", "id")]


def overdue(viewer: policy.Viewer) -> list[dict]:
    """Open items due before today, or planned before today without a due date, the most
    overdue first (by due date, else by planned day): three queries."""
    start, _end = _today_bounds()
    today = timezone.localdate()
    mine = Activity.objects.filter(owner_id=viewer.user_id, status=ActivityStatus.OPEN)
    # Two reads along (owner, status, due_on, start), merged here: as an OR, or as one
    # sorted UNION, SQLite read all the owner's past activities through (owner, start).
    dated = mine.filter(due_on__lt=today).order_by("due_on", "starts_at", "id")
    # Unordered on purpose: asked for the earliest few, PostgreSQL walked the owner's
    # activities by start and skipped thousands that are done or dated.
    undated = mine.filter(due_on__isnull=True, starts_at__lt=start)
    # Sort keys: (day, 0, place in the dated order) or (day, 1, planned start, id); a
    # dated item comes before an undated one of the same day.
    keyed: list[tuple] = [
        (due, 0, place, pk)
        for place, (pk, due) in enumerate(dated.values_list("id", "due_on")[:SHOWN])
    ]
    keyed += [
        (timezone.localdate(when), 1, when, pk)
        for pk, when in undated.values_list("id", "starts_at")
    ]
    ids = [key[-1] for key in sorted(keyed)[:SHOWN]]
    rows = {a.pk: a for a in Activity.objects.filter(pk__in=ids).select_related("customer", "lead")}
    return [_line(rows[pk]) for pk in ids]


def newly_at_risk(viewer: policy.Viewer) -> list[dict]:
    """Churn warnings of the latest finished run that the run before did not raise: the
    run's new warnings (kept by the run with the branch and owner of its snapshot) within
    the viewer's scope, of customers still in it, the most severe first."""
    run = AnalysisRun.objects.latest_finished_id()
    if run is None:
        return []
    # The same scope condition on the warnings' own branch and owner narrows them from
    # their index; the customers' scope as it is now has the last word.
    news = policy.customer_scope(viewer, NewChurnWarning.objects.filter(run_id=run))
    # Each new warning's customer looked up by its key: as an IN, SQLite listed every
    # customer of a team lead's scope first (27,000 at a million customers).
    visible = policy.customer_scope(viewer, Customer.objects.filter(pk=OuterRef("customer_id")))
    chosen = list(
        news.filter(Exists(visible))
        .order_by("-severity", "customer_id")
        .values_list("customer_id", flat=True)[:SHOWN]
    )
    scores = (
        CustomerScore.objects.filter(run_id=run, customer_id__in=chosen)
        .select_related("customer")
        .order_by("-churn_severity", "customer_id")
    )
    return [
        {
            "customer_id": s.customer_id,
            "customer_name": s.customer.name,
            "severity": s.churn_severity,
            "reason": churn_reason(s),
        }
        for s in scores
    ]


def neglected(viewer: policy.Viewer) -> list[dict]:
    """Top-tier customers past their contact rule."""
    in_force = contact_rules.contact_rules()
    rules = {r.value_tier: r for r in in_force}
    lines = []
    for c in contact_rules.neglected_customers(viewer, SHOWN, in_force):
        rule = rules[c.value_tier]
        lines.append(
            {
                "customer_id": c.pk,
                "customer_name": c.name,
                "value_tier": c.value_tier,
                "value_tier_label": rule.tier_label,
                "rule_kind_label": rule.kind_label,
                "last_contact": getattr(c, "last_contact", None),
                "rule_days": rule.every_days,
                "rule_kind": rule.kind,
            }
        )
    return lines


def _person(user) -> str:
    profile = getattr(user, "profile", None)
    return (profile and profile.display_name) or (user.get_username() if user else "")


def waiting_leads(viewer: policy.Viewer) -> list[dict]:
    """Open leads nobody has answered yet that are the viewer's to answer, oldest first."""
    return [
        {
            "lead_id": lead.pk,
            "name": lead.name,
            "company": lead.company,
            "source_label": lead.get_source_display(),
            "owner_name": _person(lead.owner),
            "created_at": lead.created_at,
            "escalated": lead.escalated_at is not None,
            "score": lead.score,
            "version": lead.version,
        }
        for lead in leads_waiting(viewer, SHOWN)
    ]


def birthdays(viewer: policy.Viewer, context: RequestContext) -> list[dict]:
    """Customers of the portfolio whose birthday is today (29 February on 28 February in a
    year without it), whose birthday the viewer may see."""
    today = timezone.localdate()
    found = list(
        policy.customer_scope(viewer, Customer.objects.all())
        .filter(dates_falling_on([today], "birthday"))
        .only("id", "name", "birthday", "owner_id", "branch_id")
        .order_by("name", "id")[:SHOWN]
    )
    access = policy.field_access(viewer, found)
    lines = []
    for c in found:
        shown = policy.present("birthday", c.birthday, policy.access_to("birthday", access[c.pk]))
        if shown:
            lines.append({"customer_id": c.pk, "customer_name": c.name, "birthday": shown})
    if lines:
        ids = [line["customer_id"] for line in lines]
        record(viewer.user, AuditAction.READ, "customer", ids, ["name", "birthday"], context)
    return lines


def my_day_for_user(*, viewer: policy.Viewer, context: RequestContext) -> dict:
    """Everything of the viewer's day, by section."""
    policy.require(viewer, "my_day.view")
    return {
        "date": timezone.localdate(),
        "agenda": agenda(viewer),
        "overdue": overdue(viewer),
        "churn": newly_at_risk(viewer),
        "neglected": neglected(viewer),
        "leads": waiting_leads(viewer),
        "birthdays": birthdays(viewer, context),
    }


def lands_on_my_day(viewer: policy.Viewer) -> bool:
    """Whether the viewer's landing page is my day (account managers and team leads)."""
    return policy.allows(viewer, "my_day.landing")
