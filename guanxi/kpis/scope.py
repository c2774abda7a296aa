"""Whose figures: the viewer's record scope, narrowed to a branch, team or owner, and the
grouping of each source's rows by owner, team or branch.

Every source table keeps its owner and branch under its own path (an activity through its
customer, a stage change through its opportunity); ``Source`` names them, so one scope
filters and groups all of them alike.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.org.models import Branch, Profile, Team
from guanxi.policy.kpis import process_kpi_condition

GROUPS = ("owner", "team", "branch")


def _of_branch(queryset: QuerySet, source: "Source", branch_id: int) -> Q:
    """The rows of a branch. Through a relation, as "the related row is one of the branch's"
    rather than a join condition: SQLite then reads the branch's customers and each one's
    activities of the period along (customer, start), instead of every activity of the
    period bank-wide (a quarter's contacts of one branch: 29 s -> 2 s at a million
    customers and five million activities)."""
    relation, _sep, column = source.branch.rpartition("__")
    if not relation or "__" in relation:  # a column, or a person's branch: a plain join
        return Q(**{f"{source.branch}_id": branch_id})
    related = queryset.model._meta.get_field(relation).related_model
    of_branch = related._default_manager.filter(**{f"{column}_id": branch_id}).values("pk")
    return Q(**{f"{relation}_id__in": of_branch})


@dataclass(frozen=True)
class Source:
    """Where a table's rows keep their owner (a user foreign key) and branch, as lookups."""

    owner: str
    branch: str

    def group_key(self, group_by: str) -> str:
        """The lookup of the grouping column."""
        if group_by == "owner":
            return f"{self.owner}_id"
        if group_by == "team":
            return f"{self.owner}__profile__team_id"
        return f"{self.branch}_id"


OWNED = Source("owner", "branch")
VIA_CUSTOMER = Source("customer__owner", "customer__branch")
# An activity of the person who is to do it, in that person's branch.
ASSIGNED = Source("owner", "owner__profile__branch")


@dataclass(frozen=True)
class KpiScope:
    """A viewer's reach for process KPIs, an optional narrowing, and how rows are grouped."""

    viewer: policy.Viewer
    group_by: str = "owner"
    branch_id: int | None = None
    team_id: int | None = None
    owner_id: int | None = None

    def rows(self, queryset: QuerySet, source: Source) -> QuerySet:
        """The rows of ``queryset`` in scope, each with its group as ``key``."""
        condition = process_kpi_condition(
            self.viewer, owner=f"{source.owner}_id", branch=f"{source.branch}_id"
        )
        if condition is not None:
            queryset = queryset.filter(condition)
        narrow = Q()
        if self.branch_id is not None:
            narrow &= _of_branch(queryset, source, self.branch_id)
        if self.team_id is not None:
            narrow &= Q(**{f"{source.owner}__profile__team_id": self.team_id})
        if self.owner_id is not None:
            narrow &= Q(**{f"{source.owner}_id": self.owner_id})
        # no model ordering: it would join the GROUP BY of every grouped read
        keyed = queryset.filter(narrow).order_by()
        return keyed.annotate(key=F(source.group_key(self.group_by)))


def staff_in_reach(viewer: policy.Viewer) -> QuerySet:
    """The colleagues whose figures the viewer may read (their own profile included)."""
    condition = process_kpi_condition(viewer, owner="user_id", branch="branch_id")
    profiles = Profile.objects.all()
    return profiles if condition is None else profiles.filter(condition)


def kpi_scope_for_user(
    *,
    viewer: policy.Viewer,
    group_by: str = "owner",
    branch_id: int | None = None,
    team_id: int | None = None,
    owner_id: int | None = None,
) -> KpiScope:
    """The viewer's scope narrowed as asked: a ``group_by`` out of ``GROUPS`` is a
    ValidationError naming it; a branch, team or owner out of reach reads as missing."""
    policy.require(viewer, "process_kpi.view")
    if group_by not in GROUPS:
        raise ValidationError({"group_by": [_("Choose one of: %s.") % ", ".join(GROUPS)]})
    reach = staff_in_reach(viewer)
    if branch_id is not None and not (
        Branch.objects.filter(pk=branch_id).exists() and reach.filter(branch_id=branch_id).exists()
    ):
        raise Branch.DoesNotExist
    if team_id is not None and not reach.filter(team_id=team_id).exists():
        raise Team.DoesNotExist
    if owner_id is not None and not reach.filter(user_id=owner_id).exists():
        raise Profile.DoesNotExist
    return KpiScope(viewer, group_by, branch_id, team_id, owner_id)


def group_names(group_by: str, keys: set) -> dict:
    """The display name of each group key (one query)."""
    ids = [k for k in keys if k is not None]
    if group_by == "owner":
        rows = Profile.objects.filter(user_id__in=ids).values_list(
            "user_id", "display_name", "user__username"
        )
        names = {pk: shown or username for pk, shown, username in rows}
    elif group_by == "team":
        names = dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    else:
        names = dict(Branch.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {key: names.get(key) or (_("Unassigned") if key is None else str(key)) for key in keys}
