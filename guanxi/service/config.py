"""The service desk's settings (``GUANXI_SERVICE``), with their defaults."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # {"case type": "department"}: the department that owns a case type (e.g. compliance
    # owns complaints at a futures broker).
    "case_type_departments": {},
    # A case still breached this many hours after its first escalation (to the team lead)
    # goes to the branch manager.
    "second_escalation_hours": 24,
    # A closed complaint's follow-up of the customer's reaction is due this many working
    # days (of the case's calendar) after the closing day.
    "follow_up_working_days": 3,
    # The site's address, put before the path of a survey link mailed to a customer.
    "survey_base_url": "http://localhost:8000",
    # Care reminders: birthdays, holidays and anniversaries this many days ahead; products
    # maturing this many days ahead; a balance change of at least this amount (yuan).
    "care_days_ahead": 7,
    "maturity_days_ahead": 30,
    "large_balance_change": 100000,
}


def service_setting(name: str) -> Any:
    """One service setting, the default when not configured."""
    return {**DEFAULTS, **getattr(settings, "GUANXI_SERVICE", {})}[name]
