"""Template context shared by every page: the navigation and user menu for the user's roles.

Every domain has a navigation entry from the start, so the shell does not change shape as
domains arrive. An entry points at its domain's landing page by URL name; while that name
does not resolve (the domain is not built yet) the entry is shown disabled, "coming soon".
Adding a domain's ``urls.py`` with that name is all it takes to switch its entry on.
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
    url: str | None
    active: bool

    @property
    def enabled(self) -> bool:
        """Whether the domain exists yet (a disabled entry says "coming soon")."""
        return self.url is not None


NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("customers", _("Customers"), "customers:list"),
    NavEntry("sales", _("Sales"), "sales:list"),
    NavEntry("activities", _("Activities"), "activities:list"),
    NavEntry("service", _("Service"), "service:list"),
    NavEntry("marketing", _("Marketing"), "marketing:list"),
    NavEntry("loyalty", _("Loyalty"), "loyalty:list"),
    NavEntry("analytics", _("Analytics"), "analytics:list", "analytics.view"),
    NavEntry("automation", _("Automation"), "automation:list"),
    NavEntry("imports", _("Imports"), "imports:list"),
    NavEntry("audit", _("Audit log"), "audit:log", "audit.read"),
)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def nav_items(viewer: policy.Viewer, current_namespace: str) -> list[NavItem]:
    """The entries this viewer may see, with the current domain marked active."""
    return [
        NavItem(
            key=entry.key,
            label=str(entry.label),
            url=_url(entry.url_name),
            active=entry.url_name.split(":")[0] == current_namespace,
        )
        for entry in NAV_ENTRIES
        if entry.action is None or policy.allows(viewer, entry.action)
    ]


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
        "nav_items": nav_items(viewer, match.namespace if match else ""),
        "user_display_name": (profile and profile.display_name) or user.get_username(),
        "user_roles": role_labels(viewer),
    }
