"""The action table and the three questions everything asks of it.

``allows(viewer, action, record=None)`` — may the viewer do this (to this record)?
Navigation and buttons ask it without a record; services with one.
``require(viewer, action, record=None)`` — the same, raising ``PermissionDenied``.
``scoped(viewer, queryset, action)`` — the records of a queryset the viewer may do it to.

Services fetch records through scoped selectors first, so a record out of scope reads as
missing (404) before ``require`` is asked; ``require`` refusing is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.policy import (
    activities,
    audit,
    care,
    cases,
    customers,
    insights,
    kpis,
    leads,
    org,
    plans,
    sales,
    scheduling,
    service,
    surveys,
)
from guanxi.policy.rules import Action
from guanxi.policy.viewer import Viewer

ACTIONS: dict[str, Action] = {
    action.name: action
    for module in (
        customers,
        org,
        audit,
        insights,
        activities,
        sales,
        leads,
        scheduling,
        plans,
        kpis,
        service,
        cases,
        care,
        surveys,
    )
    for action in module.ACTIONS
}


def action(name: str) -> Action:
    """The action of this name (a ``KeyError`` for a name not in the table)."""
    return ACTIONS[name]


def allows(viewer: Viewer, name: str, record=None) -> bool:
    """Whether the viewer may do the action (to ``record``, when given)."""
    return ACTIONS[name].allows(viewer, record)


def require(viewer: Viewer, name: str, record=None) -> None:
    """Raise ``PermissionDenied`` unless the viewer may do the action (to ``record``)."""
    if not allows(viewer, name, record):
        raise PermissionDenied(_("Your role does not allow this."))


def scoped(viewer: Viewer, queryset: QuerySet, name: str = "customer.view") -> QuerySet:
    """The records of ``queryset`` the viewer may do the action to."""
    condition = ACTIONS[name].condition(viewer)
    return queryset if condition is None else queryset.filter(condition)


def roles_for(name: str) -> frozenset[str]:
    """The roles that may do the action at all."""
    return ACTIONS[name].roles()
