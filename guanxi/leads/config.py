"""The leads settings (``GUANXI_LEADS``), with their defaults."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # A lead nobody has answered this many hours after it came in goes to the team lead.
    "escalate_after_hours": 24,
    # Most open leads an owner may hold, unless their own setting says otherwise.
    "max_open_leads": 200,
    # Web forms: {"form code": {"token": "<secret>", "branch": "<branch code>"}}.
    "web_forms": {},
}


def leads_setting(name: str) -> Any:
    """One leads setting, the default when not configured."""
    return {**DEFAULTS, **getattr(settings, "GUANXI_LEADS", {})}[name]
