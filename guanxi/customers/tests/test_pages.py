"""Customer pages through Django's test client: access control, masking, forms."""

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi import policy
from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.compiled_query import ShapedQuery
from guanxi.customers import definitions, list_query, services
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Customer, Holding, LifecycleStatus, Product
from guanxi.web.tests.support import MODEL_BACKEND, client_for

ALL_ROLES = [
    "admin",
    "branch_manager",
    "account_manager",
    "service_agent",
    "marketer",
    "analyst",
    "auditor",
]


@pytest.fixture
def zhang(make_customer) -> Customer:
    """张三, in the north branch, owned by the account manager 李经理."""
    return make_customer("张三", phone="13812345678", email="zhangsan@example.com")


@pytest.fixture
def colleague_customer(make_customer, staff) -> Customer:
    """李四, owned by another account manager in the same branch."""
    return make_customer("李四", owner_id=staff["other_manager"].pk, phone="13900001111")


def detail_url(customer: Customer) -> str:
    return reverse("customers:detail", args=[customer.pk])


def html(response) -> str:
    return response.content.decode()


# --- login required ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("customers:list", []),
        ("customers:detail", [1]),
        ("customers:edit", [1]),
        ("customers:lifecycle", [1]),
        ("customers:reveal", [1, "phone"]),
    ],
)
def test_pages_need_a_login(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


# --- list and search --------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_can_open_the_list(staff, zhang, role):
    response = client_for(staff[role]).get(reverse("customers:list"))
    assert response.status_code == 200
    assert "张三" in html(response)


@pytest.mark.parametrize("query", ["zhangsan", "zs", "张三", "5678", "13812345678"])
def test_search_box_finds_by_name_pinyin_and_phone(staff, zhang, colleague_customer, query):
    response = client_for(staff["admin"]).get(reverse("customers:list"), {"q": query})
    body = html(response)
    assert "张三" in body
    assert "李四" not in body


def test_list_says_when_a_search_matches_more_than_it_ranks(staff, make_customer, monkeypatch):
    for n in range(3):
        make_customer(f"张{n}号")
    client = client_for(staff["admin"])
    assert "data-search-capped" not in html(client.get(reverse("customers:list"), {"q": "张"}))
    monkeypatch.setattr(list_query, "SEARCH_CANDIDATES", 2)
    monkeypatch.setattr(list_query, "_compiled_page", ShapedQuery(list_query._page))
    body = html(client.get(reverse("customers:list"), {"q": "张"}, headers={"HX-Request": "true"}))
    assert "data-search-capped" in body
    assert "超过 2 位客户符合此搜索" in body


def test_list_shows_only_own_portfolio_to_account_manager(staff, zhang, colleague_customer):
    body = html(client_for(staff["account_manager"]).get(reverse("customers:list")))
    assert "张三" in body
    assert "李四" not in body


def test_list_masks_phone_for_marketer(staff, zhang):
    body = html(client_for(staff["marketer"]).get(reverse("customers:list")))
    assert "138****5678" in body
    assert "13812345678" not in body


def test_htmx_search_returns_only_the_results_table(staff, zhang):
    response = client_for(staff["admin"]).get(
        reverse("customers:list"), {"q": "zs"}, headers={"HX-Request": "true"}
    )
    body = html(response)
    assert body.lstrip().startswith('<div id="customer-results"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(staff, zhang):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client_for(staff["admin"]).get(reverse("customers:list"), headers=headers)
    assert "<html" in html(response)


def test_filters_and_paging(staff, make_customer):
    for i in range(30):
        make_customer(f"客户{i:02d}", phone="", id_number="", email="", value_tier="gold")
    make_customer("王五", phone="", id_number="", email="", value_tier="silver")
    client = client_for(staff["admin"])
    first = html(client.get(reverse("customers:list"), {"value_tier": "gold"}))
    assert "王五" not in first
    assert 'rel="next"' in first
    second = html(client.get(reverse("customers:list"), {"value_tier": "gold", "page": 2}))
    assert second.count("data-customer-id") == 5
    assert 'rel="next"' not in second


def test_unknown_filter_value_is_reported_not_a_crash(staff, zhang):
    response = client_for(staff["admin"]).get(reverse("customers:list"), {"status": "bogus"})
    assert response.status_code == 200
    assert "alert-danger" in html(response)


# --- 360 page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_in_scope_sees_the_360_page(staff, zhang, role):
    response = client_for(staff[role]).get(detail_url(zhang))
    assert response.status_code == 200
    assert "张三" in html(response)


def test_account_manager_gets_404_for_a_colleagues_customer(staff, colleague_customer):
    response = client_for(staff["account_manager"]).get(detail_url(colleague_customer))
    assert response.status_code == 404


def test_missing_customer_is_404(staff, db):
    assert (
        client_for(staff["admin"]).get(reverse("customers:detail", args=[999])).status_code == 404
    )


@pytest.mark.parametrize("role", ["marketer", "analyst"])
def test_hidden_id_number_is_absent_from_the_html(staff, zhang, role):
    body = html(client_for(staff[role]).get(detail_url(zhang)))
    assert zhang.id_number not in body
    assert zhang.id_number[:6] not in body  # not even the masked form
    assert 'id="field-id_number"' not in body
    assert "138****5678" in body
    assert "13812345678" not in body


def test_branch_manager_sees_masked_id_with_reveal_button(staff, zhang):
    body = html(client_for(staff["branch_manager"]).get(detail_url(zhang)))
    assert policy.mask_id_number(zhang.id_number) in body
    assert zhang.id_number not in body
    assert 'data-reveal="id_number"' in body
    assert 'data-reveal="phone"' not in body  # full access: nothing to reveal


def test_360_page_is_audited(staff, zhang):
    client_for(staff["marketer"]).get(detail_url(zhang))
    entry = AuditEntry.objects.filter(actor=staff["marketer"], action=AuditAction.READ).first()
    assert entry is not None
    assert entry.channel == "web"


def test_360_page_shows_lifecycle_history_and_timeline(staff, zhang):
    admin = policy.Viewer.of(staff["admin"])
    services.customer_change_lifecycle(
        viewer=admin,
        customer_id=zhang.pk,
        to_status="new",
        reason="首次购买理财",
        expected_version=zhang.version,
        context=RequestContext(),
    )
    response = client_for(staff["account_manager"]).get(
        detail_url(zhang), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = html(response)
    assert "Prospect → <strong>New</strong>" in body
    assert "首次购买理财" in body
    assert 'data-kind="lifecycle"' in body


def test_holding_account_numbers_are_shortened_without_full_id_access(staff, zhang):
    product = Product.objects.create(code="DEP01", name="整存整取三年", kind="deposit")
    Holding.objects.create(
        customer=zhang,
        product=product,
        account_number="6222020200112233445",
        opened_at=timezone.localdate(),
    )
    assert "6222020200112233445" in html(client_for(staff["admin"]).get(detail_url(zhang)))
    marketer_view = html(client_for(staff["marketer"]).get(detail_url(zhang)))
    assert "6222020200112233445" not in marketer_view
    assert "…3445" in marketer_view


def test_edit_button_only_for_editors(staff, zhang):
    assert 'id="edit-customer"' in html(client_for(staff["account_manager"]).get(detail_url(zhang)))
    assert 'id="edit-customer"' not in html(client_for(staff["marketer"]).get(detail_url(zhang)))


# --- reveal -----------------------------------------------------------------------------


def reveal_url(customer: Customer, field: str) -> str:
    return reverse("customers:reveal", args=[customer.pk, field])


def test_reveal_needs_a_reason(staff, zhang):
    response = client_for(staff["branch_manager"]).post(
        reveal_url(zhang, "id_number"), {"reason": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert zhang.id_number not in html(response)
    assert "id_reason-errors" in html(response)
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_reveal_shows_the_value_once_and_audits_it(staff, zhang):
    response = client_for(staff["branch_manager"]).post(
        reveal_url(zhang, "id_number"),
        {"reason": "客户来电核实身份"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert zhang.id_number in html(response)
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert entry.purpose == "客户来电核实身份"
    assert entry.fields == ["id_number"]


def test_reveal_of_a_hidden_field_is_forbidden(staff, zhang):
    response = client_for(staff["marketer"]).post(
        reveal_url(zhang, "id_number"), {"reason": "just curious"}
    )
    assert response.status_code == 403
    assert zhang.id_number not in html(response)


def test_reveal_outside_scope_is_404(staff, colleague_customer):
    response = client_for(staff["account_manager"]).get(reveal_url(colleague_customer, "phone"))
    assert response.status_code == 404


def test_reveal_of_an_unknown_field_is_404(staff, zhang):
    response = client_for(staff["admin"]).get(reveal_url(zhang, "address"))
    assert response.status_code == 404


def test_reveal_form_works_without_javascript(staff, zhang):
    response = client_for(staff["service_agent"]).get(reveal_url(zhang, "phone"))
    assert response.status_code == 200
    assert "<html" in html(response)
    assert 'name="reason"' in html(response)


# --- edit -------------------------------------------------------------------------------


def edit_url(customer: Customer) -> str:
    return reverse("customers:edit", args=[customer.pk])


def form_data(response) -> dict:
    """The values the edit form was rendered with, as a browser would submit them."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        data[name] = "" if value is None else value
        if isinstance(field, forms.DateField) and value:
            data[name] = value.isoformat()
    return data


@pytest.mark.parametrize("role", ["marketer", "analyst", "service_agent", "auditor"])
def test_non_editors_get_403_on_the_edit_form(staff, zhang, role):
    assert client_for(staff[role]).get(edit_url(zhang)).status_code == 403


def test_edit_outside_scope_is_404(staff, colleague_customer):
    assert client_for(staff["account_manager"]).get(edit_url(colleague_customer)).status_code == 404


def test_edit_saves_a_change(staff, zhang):
    client = client_for(staff["account_manager"])
    data = form_data(client.get(edit_url(zhang)))
    data["address"] = "北京市朝阳区建国路1号"
    response = client.post(edit_url(zhang), data)
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.address == "北京市朝阳区建国路1号"
    assert zhang.version == 2
    update = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert update.fields == ["address"]  # only what changed


def test_dates_keep_their_value_in_chinese(staff, zhang):
    # A date input only accepts ISO dates; the Chinese format would blank the birthday.
    body = html(
        client_for(staff["account_manager"]).get(edit_url(zhang), HTTP_ACCEPT_LANGUAGE="zh-CN")
    )
    assert 'type="date" name="birthday" value="1985-06-15"' in body


def test_edit_shows_a_per_field_error_for_a_bad_id_check_digit(staff, zhang):
    client = client_for(staff["account_manager"])
    data = form_data(client.get(edit_url(zhang)))
    last = zhang.id_number[-1]
    data["id_number"] = zhang.id_number[:-1] + ("1" if last != "1" else "2")
    response = client.post(edit_url(zhang), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "id_number" in errors
    assert 'id="id_id_number-errors"' in html(response)
    zhang.refresh_from_db()
    assert zhang.version == 1


def test_edit_with_a_stale_version_saves_nothing(staff, zhang):
    client = client_for(staff["account_manager"])
    data = form_data(client.get(edit_url(zhang)))
    services.customer_update(
        viewer=policy.Viewer.of(staff["admin"]),
        customer_id=zhang.pk,
        changes=CustomerFields(occupation="教师"),
        expected_version=1,
        context=RequestContext(),
    )
    data["address"] = "上海市"
    response = client.post(edit_url(zhang), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "changed by someone else" in html(response)
    zhang.refresh_from_db()
    assert zhang.address == ""
    assert zhang.occupation == "教师"


def test_masked_id_stays_unchanged_when_left_empty(staff, zhang):
    client = client_for(staff["branch_manager"])
    get = client.get(edit_url(zhang))
    assert zhang.id_number not in html(get)
    data = form_data(get)
    assert data["id_number"] == ""
    data["occupation"] = "医生"
    assert client.post(edit_url(zhang), data).status_code == 302
    zhang.refresh_from_db()
    assert zhang.occupation == "医生"
    assert zhang.id_number  # kept


def test_owner_move_refused_for_account_manager_is_shown_on_the_field(staff, zhang):
    client = client_for(staff["account_manager"])
    data = form_data(client.get(edit_url(zhang)))
    data["owner"] = str(staff["other_manager"].pk)
    response = client.post(edit_url(zhang), data)
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors


def test_custom_fields_are_edited_with_typed_inputs(staff, zhang):
    admin = policy.Viewer.of(staff["admin"])
    definitions.custom_field_define(
        viewer=admin,
        data={
            "key": "risk_level",
            "label": "风险等级",
            "field_type": "choice",
            "choices": ["低", "中", "高"],
        },
    )
    definitions.custom_field_define(
        viewer=admin, data={"key": "annual_income", "label": "年收入", "field_type": "number"}
    )
    client = client_for(staff["account_manager"])
    data = form_data(client.get(edit_url(zhang)))
    data.update({"cf_risk_level": "中", "cf_annual_income": "250000"})
    assert client.post(edit_url(zhang), data).status_code == 302
    zhang.refresh_from_db()
    assert zhang.custom_fields == {"risk_level": "中", "annual_income": 250000}
    body = html(client.get(detail_url(zhang)))
    assert "风险等级" in body
    assert "250000" in body


def test_bad_custom_field_value_is_shown_on_its_field(staff, zhang):
    admin = policy.Viewer.of(staff["admin"])
    definitions.custom_field_define(
        viewer=admin,
        data={"key": "risk_level", "label": "风险等级", "field_type": "choice", "choices": ["低"]},
    )
    client = client_for(staff["account_manager"])
    data = form_data(client.get(edit_url(zhang)))
    data["cf_risk_level"] = "极高"
    response = client.post(edit_url(zhang), data)
    assert "cf_risk_level" in response.context["form"].errors


# --- lifecycle --------------------------------------------------------------------------


def lifecycle_url(customer: Customer) -> str:
    return reverse("customers:lifecycle", args=[customer.pk])


def test_lifecycle_change_with_reason(staff, zhang):
    response = client_for(staff["account_manager"]).post(
        lifecycle_url(zhang), {"status": "new", "reason": "首次购买理财", "version": 1}
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.status == LifecycleStatus.NEW
    assert zhang.lifecycle_changes.first().reason == "首次购买理财"


def test_lifecycle_change_errors_are_per_field(staff, zhang):
    response = client_for(staff["account_manager"]).post(
        lifecycle_url(zhang), {"status": "won_back", "reason": "x", "version": 1}
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors


def test_lifecycle_change_with_stale_version(staff, zhang):
    response = client_for(staff["account_manager"]).post(
        lifecycle_url(zhang),
        {"status": "new", "reason": "首次购买", "version": 7},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "changed by someone else" in html(response)
    zhang.refresh_from_db()
    assert zhang.status == LifecycleStatus.PROSPECT


def test_lifecycle_change_forbidden_for_marketer(staff, zhang):
    response = client_for(staff["marketer"]).post(
        lifecycle_url(zhang), {"status": "new", "reason": "reason", "version": 1}
    )
    assert response.status_code == 403


def test_csrf_is_enforced_on_forms(staff, zhang):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["account_manager"], backend=MODEL_BACKEND)
    response = client.post(lifecycle_url(zhang), {"status": "new", "reason": "r", "version": 1})
    assert response.status_code == 403
    zhang.refresh_from_db()
    assert zhang.status == LifecycleStatus.PROSPECT
