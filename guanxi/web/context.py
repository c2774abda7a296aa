"""Template context shared by every page: the navigation and user menu for the user's roles.

Every domain is listed here from the start, in the order the navigation shows them. An entry
points at its domain's landing page by URL name; while that name does not resolve (the
domain is not built yet) the entry is left out, so the navigation shows only what exists.
Adding a domain's ``urls.py`` with that name is all it takes to make its entry appear.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi import policy
from guanxi.org.roles import Role
from guanxi.request_context import viewer_of


@dataclass(frozen=True)
class NavEntry:
    """One domain in the navigation: its label, landing page and who may see it."""

    key: str
    label: Promise
    url_name: str
    action: str | None = None  # the policy action that opens it; None: everyone with a login


@dataclass(frozen=True)
class NavItem:
    """A navigation entry as rendered for one request."""

    key: str
    label: str
    url: str
    active: bool


NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("my_day", _("My day"), "activities:my_day", "my_day.view"),
    NavEntry("customers", _("Customers"), "customers:list"),
    NavEntry("leads", _("Leads"), "leads:list", "lead.view"),
    NavEntry("sales", _("Sales"), "sales:list", "opportunity.view"),
    NavEntry("activities", _("Activities"), "activities:list"),
    NavEntry("calendar", _("Calendar"), "calendar:page", "calendar.view"),
    NavEntry("plans", _("Plans"), "plans:page", "plan.view"),
    NavEntry("service", _("Service"), "service:list", "case.view"),
    NavEntry("care", _("Follow-ups and care"), "service:care", "care_reminder.view"),
    NavEntry("marketing", _("Marketing"), "marketing:list"),
    NavEntry("loyalty", _("Loyalty"), "loyalty:list"),
    NavEntry("analytics", _("Analytics"), "analytics:list", "analytics.view"),
    NavEntry("automation", _("Automation"), "automation:list"),
    NavEntry("imports", _("Imports"), "imports:list"),
    NavEntry("audit", _("Audit log"), "audit:log", "audit.read"),
    NavEntry("staff", _("Staff"), "staff:list", "portfolio.view"),
    NavEntry("kpis", _("Process KPIs"), "kpis:dashboard", "process_kpi.view"),
)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def nav_items(
    viewer: policy.Viewer, current_namespace: str, current_view: str = ""
) -> list[NavItem]:
    """The built domains this viewer may open, with the current domain marked active: the
    entry of the very page (my day), else the domain's main entry."""
    items = []
    exact = {e.url_name for e in NAV_ENTRIES} & {f"{current_namespace}:{current_view}"}
    for entry in NAV_ENTRIES:
        url = _url(entry.url_name)
        if url is None or not (entry.action is None or policy.allows(viewer, entry.action)):
            continue
        if exact:
            active = entry.url_name in exact
        else:  # another page of a domain: its main entry, named after it
            namespace = entry.url_name.split(":")[0]
            active = namespace == current_namespace and entry.key == namespace
        items.append(NavItem(key=entry.key, label=str(entry.label), url=url, active=active))
    return items


def role_labels(viewer: policy.Viewer) -> list[str]:
    """The viewer's roles in the active language, in the order roles are defined."""
    return [str(role.label) for role in Role if role.value in viewer.roles]


def navigation(request: HttpRequest) -> dict:
    """Navigation entries and user-menu facts for the logged-in user (none when anonymous)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    viewer = viewer_of(request)
    match = getattr(request, "resolver_match", None)
    profile = getattr(user, "profile", None)
    return {
        "nav_items": nav_items(
            viewer, match.namespace if match else "", match.url_name if match else ""
        ),
        "user_display_name": (profile and profile.display_name) or user.get_username(),
        "user_roles": role_labels(viewer),
    }
