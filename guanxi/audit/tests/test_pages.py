"""Audit log pages through Django's test client: who may search and export, and what."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.audit.services import RequestContext, record
from guanxi.web.tests.support import client_for

READERS = ["admin", "auditor"]
OTHERS = ["branch_manager", "account_manager", "service_agent", "marketer", "analyst"]


@pytest.fixture
def entries(staff) -> None:
    """A reveal by the branch manager and reads by the marketer."""
    record(
        staff["branch_manager"],
        AuditAction.REVEAL,
        "customer",
        [42],
        ["id_number"],
        RequestContext(ip_address="10.0.0.8", channel="web"),
        "客户来电核实身份",
    )
    record(staff["marketer"], AuditAction.READ, "customer", [1, 2, 3], ["name"], RequestContext())


def html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("name", ["audit:log", "audit:export"])
def test_audit_pages_need_a_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize("name", ["audit:log", "audit:export"])
def test_other_roles_are_refused(staff, entries, role, name):
    response = client_for(staff[role]).get(reverse(name))
    assert response.status_code == 403
    assert "客户来电核实身份" not in html(response)


@pytest.mark.parametrize("role", OTHERS)
def test_invalid_export_search_is_still_refused_to_other_roles(staff, role):
    response = client_for(staff[role]).get(reverse("audit:export"), {"since": "not a date"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_log(staff, entries, role):
    response = client_for(staff[role]).get(reverse("audit:log"))
    assert response.status_code == 200
    body = html(response)
    assert "客户来电核实身份" in body
    assert "10.0.0.8" in body


def test_search_by_actor_and_action(staff, entries):
    client = client_for(staff["auditor"])
    body = html(client.get(reverse("audit:log"), {"actor": "bm", "action": "reveal"}))
    assert "客户来电核实身份" in body
    assert "marketer" not in body.split('id="audit-entries"')[1]
    body = html(client.get(reverse("audit:log"), {"actor": "marketer"}))
    assert "客户来电核实身份" not in body


def test_date_range_includes_the_last_day(staff, entries):
    today = timezone.localdate().isoformat()
    client = client_for(staff["auditor"])
    body = html(client.get(reverse("audit:log"), {"since": today, "until": today}))
    assert "客户来电核实身份" in body
    body = html(client.get(reverse("audit:log"), {"until": "2000-01-01"}))
    assert "客户来电核实身份" not in body


def test_paging_without_a_total_count(staff):
    for customer_id in range(1, 61):
        record(staff["marketer"], AuditAction.READ, "customer", [customer_id], [], RequestContext())
    client = client_for(staff["auditor"])
    first = html(client.get(reverse("audit:log")))
    assert 'rel="next"' in first
    second = html(client.get(reverse("audit:log"), {"page": 2}))
    assert 'rel="next"' not in second
    assert 'rel="prev"' in second


def test_csv_export_has_the_matching_entries_and_is_audited(staff, entries):
    response = client_for(staff["auditor"]).get(reverse("audit:export"), {"actor": "bm"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["时间 (Asia/Shanghai)", "用户名", "员工姓名", "操作"]
    assert [r[1] for r in rows[1:]] == ["bm"]
    assert rows[1][11] == "客户来电核实身份"
    export = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (export.actor_name, export.channel) == ("auditor", "web")


def test_export_with_an_invalid_search_shows_the_errors_instead(staff, entries):
    response = client_for(staff["auditor"]).get(reverse("audit:export"), {"since": "31/02/2026"})
    assert response.status_code == 400
    assert 'id="id_since-errors"' in html(response)
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_link_carries_the_search(staff, entries):
    body = html(client_for(staff["auditor"]).get(reverse("audit:log"), {"actor": "bm", "page": 2}))
    assert f'href="{reverse("audit:export")}?actor=bm"' in body
