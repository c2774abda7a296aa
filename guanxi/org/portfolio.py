"""What a member of staff holds: their portfolio, kind by kind, as queries.

One definition serves the counts (the staff page, the API), the handover that moves the
records and the guard that refuses to deactivate someone who still holds some. Finished
work stays with who did it: closed leads, won or lost opportunities, done or cancelled
activities. Leads kept for a later campaign are held (they may be reopened); seats on open
opportunities' teams move too, but do not stop a deactivation (the owner still works them).
"""

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy, ngettext

from guanxi.activities.models import Activity, ActivityStatus
from guanxi.customers.models import Customer
from guanxi.leads import workflow as lead_workflow
from guanxi.leads.models import Lead
from guanxi.sales.models import Opportunity, OpportunityMember, StageKind

KINDS = ("customers", "leads", "opportunities", "opportunity_teams", "activities")
KIND_NAMES = {
    "customers": gettext_lazy("Customers"),
    "leads": gettext_lazy("Leads"),
    "opportunities": gettext_lazy("Opportunities"),
    "opportunity_teams": gettext_lazy("Team seats"),
    "activities": gettext_lazy("Open activities"),
}
# The kinds whose records would be left without an owner by a deactivation.
OWNED_KINDS = ("customers", "leads", "opportunities", "activities")

# Leads not closed for good: open ones and those kept for later (the workflow's moves).
LIVE_LEADS = frozenset(s for s, moves in lead_workflow.MOVES.items() if moves)


def held(kind: str, user_ids) -> QuerySet:
    """The records of ``kind`` held by these users (a list of ids or a subquery)."""
    if kind == "customers":
        return Customer.objects.filter(owner_id__in=user_ids)
    if kind == "leads":
        return Lead.objects.filter(owner_id__in=user_ids, status__in=LIVE_LEADS)
    if kind == "opportunities":
        return Opportunity.objects.filter(owner_id__in=user_ids, status=StageKind.OPEN)
    if kind == "opportunity_teams":
        return OpportunityMember.objects.filter(
            user_id__in=user_ids, opportunity__status=StageKind.OPEN
        )
    if kind == "activities":
        return Activity.objects.filter(owner_id__in=user_ids, status=ActivityStatus.OPEN)
    raise KeyError(kind)


def holder_column(kind: str) -> str:
    """The column naming who holds a record of ``kind``."""
    return "user_id" if kind == "opportunity_teams" else "owner_id"


def branch_of(kind: str) -> F | Coalesce:
    """The branch a record of ``kind`` belongs to: an activity's is its customer's, or its
    lead's when it is about a lead alone; a seat's its opportunity's."""
    if kind == "activities":
        return Coalesce("customer__branch_id", "lead__branch_id")
    if kind == "opportunity_teams":
        return F("opportunity__branch_id")
    return F("branch_id")


def portfolio_counts(user_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per user, how many records of each kind they hold: one grouped query per kind,
    however many users and records."""
    counts = {u: dict.fromkeys(KINDS, 0) for u in user_ids}
    for kind in KINDS:
        column = holder_column(kind)
        grouped = (
            held(kind, user_ids).order_by().values(column).annotate(n=Count("pk"))
        ).values_list(column, "n")
        for user_id, n in grouped:
            counts[user_id][kind] = n
    return counts


def owned_remaining(counts: dict[str, int]) -> dict[str, int]:
    """The kinds of ``counts`` that would be left without an owner, with their numbers."""
    return {kind: counts[kind] for kind in OWNED_KINDS if counts.get(kind)}


def records_text(kind: str, n: int) -> str:
    """``n`` records of ``kind`` in words ("3 customers"), in the active language."""
    texts = {
        "customers": ngettext("%(count)d customer", "%(count)d customers", n),
        "leads": ngettext("%(count)d lead", "%(count)d leads", n),
        "opportunities": ngettext("%(count)d opportunity", "%(count)d opportunities", n),
        "opportunity_teams": ngettext(
            "%(count)d seat on an opportunity team", "%(count)d seats on opportunity teams", n
        ),
        "activities": ngettext("%(count)d open activity", "%(count)d open activities", n),
    }
    return texts[kind] % {"count": n}
