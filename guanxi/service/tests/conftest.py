"""Fixtures of the service tests: a Shanghai desk calendar with a lunch break, a fixed
today, and an SLA policy on the calendar."""

from datetime import date

import pytest

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.service import calendars, loader, selectors

CONTEXT = RequestContext(channel="test")
LUNCH_BREAK_WEEK = [
    {"weekday": day, "start": start, "end": end}
    for day in range(5)
    for start, end in (("09:00", "12:00"), ("13:30", "17:30"))
]


@pytest.fixture(autouse=True)
def fresh_engines():
    """No test reuses another's working-time engines (the database is rolled back, ids and
    versions repeat)."""
    loader.forget_engines()


@pytest.fixture
def admin_viewer(staff) -> policy.Viewer:
    return policy.Viewer.of(staff["admin"])


@pytest.fixture
def desk(admin_viewer):
    """The service desk's calendar: weekdays 09:00–12:00 and 13:30–17:30 in Shanghai,
    China's public holidays apply."""
    return calendars.calendar_create(
        viewer=admin_viewer, name="客服中心", periods=LUNCH_BREAK_WEEK, context=CONTEXT
    )


@pytest.fixture
def fixed_today(monkeypatch):
    """Today is 6 December 2026 (the upcoming years counted from it)."""
    monkeypatch.setattr(selectors, "today", lambda: date(2026, 12, 6))
