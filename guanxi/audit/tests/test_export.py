"""The CSV export: readable headers, local times, masked values, no cell that runs as a formula."""

import csv
import io
from datetime import UTC

import pytest
from django.utils import timezone

from guanxi.audit.models import AuditEntry
from guanxi.audit.selectors import safe_cell

URL = "/api/v1/customers"
FORMULA = '=HYPERLINK("http://x","y")'


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def read_with_a_formula_purpose(api_as, make_customer):
    customer = make_customer()
    api_as("marketer").get(f"{URL}/{customer.pk}", headers={"X-Purpose": FORMULA})
    return customer


def test_a_formula_in_the_purpose_header_is_exported_as_text(api_as, read_with_a_formula_purpose):
    rows = rows_of(api_as("auditor").get("/api/v1/audit/export.csv", {"action": "read"}))
    purposes = [r[11] for r in rows[1:]]
    assert purposes == ["'" + FORMULA]
    assert AuditEntry.objects.get(action="read").purpose == FORMULA  # the log keeps it as sent


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


def test_plain_text_is_left_alone():
    assert safe_cell("客户来电核实身份") == "客户来电核实身份"


def test_headers_are_translated(api_as, read_with_a_formula_purpose):
    headers = rows_of(api_as("auditor").get("/api/v1/audit/export.csv"))[0]
    assert headers[:5] == ["时间 (Asia/Shanghai)", "用户名", "员工姓名", "操作", "记录类型"]
    english = api_as("auditor").get("/api/v1/audit/export.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert rows_of(english)[0][:3] == ["Time (Asia/Shanghai)", "User name", "Staff name"]


def test_codes_are_translated(api_as, read_with_a_formula_purpose):
    row = rows_of(api_as("auditor").get("/api/v1/audit/export.csv", {"action": "read"}))[1]
    assert (row[3], row[4], row[13]) == ("查看", "客户", "API 接口")
    assert "手机号码 (脱敏)" in row[9]


def test_times_are_local(api_as, read_with_a_formula_purpose):
    entry = AuditEntry.objects.get(action="read")
    row = rows_of(api_as("auditor").get("/api/v1/audit/export.csv", {"action": "read"}))[1]
    local = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")
    assert row[0] == local
    assert row[0] != entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def test_the_api_gives_local_times(api_as, read_with_a_formula_purpose):
    found = api_as("auditor").get("/api/v1/audit", {"action": "read"}).json()
    assert found[0]["at"].endswith("+08:00")
