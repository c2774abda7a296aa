"""Hostile input to every write endpoint: a JSON 4xx naming the field, and nothing changed.

Each case sends one valid request body with one field replaced by a hostile value (text
longer than the store keeps, an unknown choice, ``null`` for a field that cannot be empty,
a number the database cannot hold). The answer must be a client error whose detail names
the field, and a snapshot of every business table taken before must equal one taken after.
The valid body itself is sent once per endpoint first, so the suite proves it reaches the
handler: a body the endpoint would refuse anyway proves nothing.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import Client

from guanxi import policy
from guanxi.activities import services as activity_services
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity, Attachment, ContactRule
from guanxi.audit.services import RequestContext
from guanxi.customers import contacts, definitions, groups
from guanxi.customers.inputs import ContactFields
from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerGroup,
    CustomFieldDefinition,
    GroupMembership,
    Holding,
    LifecycleChange,
    Product,
    Tag,
    Transaction,
)
from guanxi.leads import services as leads
from guanxi.leads.inputs import LeadFields
from guanxi.leads.models import (
    AssigneeSetting,
    AssignmentRule,
    Lead,
    LeadAssignment,
    LeadStatusChange,
    ScoreRule,
)
from guanxi.org.models import PortfolioHandover
from guanxi.plans import services as plans
from guanxi.plans.models import ItemReview, Plan, PlanItem, PlanTarget
from guanxi.sales import services as sales
from guanxi.sales.inputs import OpportunityFields
from guanxi.sales.models import Opportunity, OpportunityMember, Stage, StageChange
from guanxi.scheduling.models import CalendarFeed, Notification, Reminder
from guanxi.service import calendars as service_calendars
from guanxi.service import cases as service_cases
from guanxi.service import sla_policies
from guanxi.service.models import (
    CalendarException,
    Case,
    CaseAssignment,
    CaseCategory,
    CaseTransition,
    OfficialDay,
    OfficialYear,
    RootCause,
    ServiceQueue,
    SlaPolicy,
    WorkingCalendar,
)

LONG = "长" * 5001
HUGE = 10**30
TABLES = (
    Case,
    CaseAssignment,
    CaseCategory,
    CaseTransition,
    RootCause,
    ServiceQueue,
    Customer,
    Contact,
    Holding,
    Transaction,
    Tag,
    CustomerGroup,
    GroupMembership,
    CustomFieldDefinition,
    Product,
    LifecycleChange,
    Activity,
    Attachment,
    ContactRule,
    Opportunity,
    OpportunityMember,
    StageChange,
    Lead,
    LeadStatusChange,
    LeadAssignment,
    ScoreRule,
    AssignmentRule,
    AssigneeSetting,
    Reminder,
    Notification,
    CalendarFeed,
    Plan,
    PlanItem,
    PlanTarget,
    ItemReview,
    PortfolioHandover,
    WorkingCalendar,
    CalendarException,
    OfficialYear,
    OfficialDay,
    SlaPolicy,
)
DESK_WEEK = [{"weekday": d, "start": "09:00", "end": "17:30"} for d in range(5)]
WEB_FORM = {"site": {"token": "hostile-form-token", "branch": "BJ01"}}


def snapshot() -> dict:
    """Every row of every business table, as values."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=lambda r: r[0]) for model in TABLES
    }


@dataclass
class Endpoint:
    """A write endpoint, a body it accepts, and the hostile values to try in that body."""

    method: str
    path: str
    body: Callable[[dict], dict]
    texts: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()
    numbers: dict[str, object] = field(default_factory=dict)
    valid_status: int = 200


ENDPOINTS = {
    "create customer": Endpoint(
        "post",
        "/api/v1/customers",
        lambda r: {"name": "王二", "branch_id": r["branch"], "owner_id": r["owner"]},
        texts=("name", "address", "occupation", "external_id", "email", "phone", "id_number"),
        choices=("kind", "gender", "value_tier", "source_channel"),
        not_null=("name", "branch_id", "kind"),
        numbers={"branch_id": 2**63 - 1, "owner_id": 2**63 - 1},
        valid_status=201,
    ),
    "create organisation": Endpoint(
        "post",
        "/api/v1/customers",
        lambda r: {
            "name": "星河科技有限公司",
            "kind": "organisation",
            "uscc": "91110000600037341L",
            "legal_representative": "赵六",
            "registered_capital": "5000000.00",
            "industry": "information",
            "branch_id": r["branch"],
            "owner_id": r["owner"],
        },
        texts=("name", "uscc", "legal_representative", "address", "external_id"),
        choices=("industry", "source_channel"),
        not_null=("name", "uscc", "legal_representative", "industry"),
        numbers={"registered_capital": "9" * 30},
        valid_status=201,
    ),
    "update organisation": Endpoint(
        "patch",
        "/api/v1/customers/{organisation}",
        lambda r: {"version": r["organisation_version"], "legal_representative": "赵六"},
        texts=("uscc", "legal_representative"),
        choices=("industry",),
        not_null=("uscc", "legal_representative", "industry"),
        numbers={"registered_capital": "-" + "9" * 20},
    ),
    "update customer": Endpoint(
        "patch",
        "/api/v1/customers/{customer}",
        lambda r: {"version": r["version"], "occupation": "教师"},
        texts=("name", "address", "occupation", "external_id", "email", "phone", "id_number"),
        choices=("kind", "gender", "value_tier", "source_channel"),
        not_null=("name", "kind", "address", "occupation", "email", "branch_id", "value_tier"),
        numbers={"version": 2**63 - 1, "branch_id": HUGE, "owner_id": 2**63 - 1},
    ),
    "change lifecycle": Endpoint(
        "post",
        "/api/v1/customers/{customer}/lifecycle",
        lambda r: {"version": r["version"], "status": "new", "reason": "首次购买理财"},
        texts=("reason",),
        choices=("status",),
        not_null=("status", "reason"),
        numbers={"version": 2**63 - 1},
    ),
    "set tags": Endpoint(
        "put",
        "/api/v1/customers/{customer}/tags",
        lambda r: {"version": r["version"], "tags": ["高净值"]},
        not_null=("tags", "version"),
        numbers={"version": 2**63 - 1},
    ),
    "add contact": Endpoint(
        "post",
        "/api/v1/customers/{organisation}/contacts",
        lambda r: {"name": "王五", "title": "财务总监"},
        texts=("name", "title", "email", "phone"),
        not_null=("name", "title", "email", "phone", "is_primary"),
        valid_status=201,
    ),
    "update contact": Endpoint(
        "patch",
        "/api/v1/customers/{organisation}/contacts/{contact}",
        lambda r: {"version": r["contact_version"], "title": "总经理"},
        texts=("name", "title", "email", "phone"),
        not_null=("name", "title", "email", "phone", "is_primary"),
        numbers={"version": 2**63 - 1},
    ),
    "open holding": Endpoint(
        "post",
        "/api/v1/customers/{customer}/holdings",
        lambda r: {"product_code": "DEP1", "opened_at": "2025-01-02", "balance": "1000.00"},
        texts=("product_code", "account_number"),
        not_null=("product_code", "opened_at", "balance", "account_number"),
        numbers={"balance": "9" * 30, "opened_at": "0001-01-01"},
        valid_status=201,
    ),
    "book transaction": Endpoint(
        "post",
        "/api/v1/customers/{customer}/transactions",
        lambda r: {"amount": "88.00", "channel": "branch", "occurred_at": "2025-03-01T10:00+08:00"},
        texts=("channel", "product_code"),
        choices=("channel",),
        not_null=("amount", "channel", "occurred_at", "product_code"),
        numbers={"amount": "9" * 30, "occurred_at": "9999-12-31T23:59:59-15:00"},
        valid_status=201,
    ),
    "create group": Endpoint(
        "post",
        "/api/v1/customers/groups",
        lambda r: {"name": "新客户", "kind": "saved_filter", "filter": {"status": "new"}},
        texts=("name",),
        choices=("kind",),
        not_null=("name", "kind", "filter"),
        numbers={"filter": {"branch_id": HUGE}},
        valid_status=201,
    ),
    "change group members": Endpoint(
        "post",
        "/api/v1/customers/groups/{group}/members",
        lambda r: {"add": [r["customer"]]},
        not_null=("add", "remove"),
        numbers={"add": [HUGE], "add_matching": {"owner_id": HUGE}},
    ),
    "assign owner": Endpoint(
        "post",
        "/api/v1/customers/assign-owner",
        lambda r: {"owner_id": r["other_owner"], "customer_ids": [r["customer"]]},
        choices=("matching",),
        not_null=("owner_id", "customer_ids"),
        numbers={"owner_id": HUGE, "customer_ids": [HUGE], "matching": {"branch_id": HUGE}},
    ),
    "define custom field": Endpoint(
        "post",
        "/api/v1/customers/custom-fields",
        lambda r: {"key": "risk_level", "label": "风险等级", "field_type": "text"},
        texts=("key", "label"),
        choices=("field_type",),
        not_null=("key", "label", "field_type", "choices", "required"),
        valid_status=201,
    ),
    "define product": Endpoint(
        "post",
        "/api/v1/customers/products",
        lambda r: {"code": "WM2", "name": "理财二号", "kind": "wealth"},
        texts=("code", "name"),
        choices=("kind",),
        not_null=("code", "name", "kind"),
        valid_status=201,
    ),
    "log activity": Endpoint(
        "post",
        "/api/v1/activities",
        lambda r: {"kind": "call", "customer_id": r["customer"], "subject": "电话回访"},
        texts=("subject", "outcome", "channel"),
        choices=("kind", "status", "channel"),
        not_null=("kind", "customer_id", "subject"),
        numbers={
            "customer_id": 2**63 - 1,
            "participant_ids": [HUGE],
            "starts_at": "9999-12-31T23:59:59-15:00",
            "due_on": "0001-01-01",
        },
        valid_status=201,
    ),
    "update activity": Endpoint(
        "patch",
        "/api/v1/activities/{activity}",
        lambda r: {"version": r["activity_version"], "outcome": "已联系"},
        texts=("subject", "outcome", "channel"),
        choices=("kind", "status", "channel"),
        not_null=("kind", "subject", "status", "starts_at"),
        numbers={"version": 2**63 - 1, "participant_ids": [HUGE], "ends_at": "0001-01-01T00:00Z"},
    ),
    "complete activity": Endpoint(
        "post",
        "/api/v1/activities/{activity}/complete",
        lambda r: {"version": r["activity_version"], "outcome": "已完成"},
        texts=("outcome",),
        numbers={"version": 2**63 - 1},
    ),
    "reschedule activity": Endpoint(
        "post",
        "/api/v1/activities/{activity}/reschedule",
        lambda r: {"version": r["activity_version"], "due_on": "2030-01-02"},
        numbers={"version": HUGE, "due_on": "0001-01-01", "starts_at": "9999-12-31T23:59-15:00"},
    ),
    "set contact rule": Endpoint(
        "put",
        "/api/v1/activities/contact-rules/platinum",
        lambda r: {"every_days": 14, "kind": "visit"},
        choices=("kind",),
        not_null=("every_days", "kind"),
        numbers={"every_days": HUGE, "version": HUGE},
    ),
    "schedule meeting": Endpoint(
        "post",
        "/api/v1/calendar/meetings",
        lambda r: {
            "customer_id": r["customer"],
            "subject": "面谈",
            "starts_at": "2031-01-07T10:00:00+08:00",
            "participant_ids": [r["owner"]],
        },
        texts=("subject", "channel"),
        choices=("kind", "channel"),
        not_null=("customer_id", "subject", "starts_at", "override_conflicts"),
        numbers={
            "customer_id": 2**63 - 1,
            "participant_ids": [HUGE],
            "starts_at": "9999-12-31T23:59:59-15:00",
            "ends_at": "0001-01-01T00:00Z",
            "remind_minutes": HUGE,
        },
        valid_status=201,
    ),
    "create opportunity": Endpoint(
        "post",
        "/api/v1/opportunities",
        lambda r: {"name": "房贷", "customer_id": r["customer"], "amount": "1000000.00"},
        texts=("name", "next_step"),
        not_null=("name", "customer_id", "amount"),
        numbers={
            "customer_id": 2**63 - 1,
            "amount": "9" * 30,
            "probability": 101,
            "stage_id": 2**63 - 1,
            "expected_close_date": "0001-01-01",
        },
        valid_status=201,
    ),
    "update opportunity": Endpoint(
        "patch",
        "/api/v1/opportunities/{opportunity}",
        lambda r: {"version": r["opportunity_version"], "next_step": "递交方案"},
        texts=("name", "next_step"),
        not_null=("name", "amount", "owner_id"),
        numbers={"version": 2**63 - 1, "amount": "-1.00", "owner_id": 2**63 - 1},
    ),
    "move opportunity": Endpoint(
        "post",
        "/api/v1/opportunities/{opportunity}/stage",
        lambda r: {"version": r["opportunity_version"], "stage_id": r["next_stage"]},
        not_null=("stage_id",),
        numbers={"stage_id": 2**63 - 1, "version": 2**63 - 1},
    ),
    "lose opportunity": Endpoint(
        "post",
        "/api/v1/opportunities/{opportunity}/lose",
        lambda r: {"version": r["opportunity_version"], "loss_reason": "price"},
        texts=("loss_note",),
        choices=("loss_reason",),
        not_null=("loss_reason",),
    ),
    "set opportunity team": Endpoint(
        "put",
        "/api/v1/opportunities/{opportunity}/team",
        lambda r: {
            "version": r["opportunity_version"],
            "members": [{"user_id": r["owner"], "share": "100"}],
        },
        not_null=("members",),
        numbers={"members": [{"user_id": HUGE, "share": "100"}]},
    ),
    "create lead": Endpoint(
        "post",
        "/api/v1/leads",
        lambda r: {"name": "王小明", "source": "walk_in", "branch_id": r["branch"]},
        texts=(
            "name",
            "phone",
            "email",
            "id_number",
            "company",
            "industry",
            "territory",
            "campaign",
            "note",
        ),  # fmt: skip
        choices=("source",),
        not_null=("name", "source"),
        numbers={"branch_id": HUGE, "owner_id": 2**63 - 1, "referrer_id": 2**63 - 1},
        valid_status=201,
    ),
    "update lead": Endpoint(
        "patch",
        "/api/v1/leads/{lead}",
        lambda r: {"version": r["lead_version"], "company": "星河贸易"},
        texts=("name", "company", "note", "phone", "email"),
        choices=("source",),
        not_null=("name", "source"),
        numbers={"version": 2**63 - 1, "referrer_id": HUGE},
    ),
    "change lead status": Endpoint(
        "post",
        "/api/v1/leads/{lead}/status",
        lambda r: {"version": r["lead_version"], "status": "kept", "reason": "明年再谈"},
        texts=("reason",),
        choices=("status",),
        not_null=("status",),
        numbers={"version": 2**63 - 1},
    ),
    "assign lead": Endpoint(
        "post",
        "/api/v1/leads/{lead}/assign",
        lambda r: {"version": r["lead_version"], "owner_id": r["other_owner"]},
        texts=("reason",),
        not_null=("owner_id",),
        numbers={"owner_id": 2**63 - 1, "team_id": HUGE, "version": HUGE},
    ),
    "convert lead": Endpoint(
        "post",
        "/api/v1/leads/{lead}/convert",
        lambda r: {"version": r["lead_version"], "opportunity": {"name": "大额存单"}},
        not_null=("version",),
        numbers={"version": HUGE, "opportunity": {"amount": "9" * 30}},
    ),
    "send web form": Endpoint(
        "post",
        "/api/v1/leads/web-form",
        lambda r: {"form": "site", "token": WEB_FORM["site"]["token"], "name": "网上客户"},
        texts=("name", "phone", "email", "company", "note", "token", "form"),
        not_null=("name", "token", "form"),
        valid_status=201,
    ),
    "set lead assignment rules": Endpoint(
        "put",
        "/api/v1/leads/assignment-rules",
        lambda r: {"rules": [{"branch_id": r["branch"], "team_id": r["team"]}]},
        not_null=("rules",),
        numbers={"rules": [{"branch_id": HUGE, "team_id": 1}]},
    ),
    "set lead assignee": Endpoint(
        "put",
        "/api/v1/leads/assignees/{owner}",
        lambda r: {"absent_until": "2031-01-01", "max_open_leads": 50},
        numbers={"max_open_leads": HUGE, "absent_until": "0001-01-01"},
    ),
    "set lead score rules": Endpoint(
        "put",
        "/api/v1/leads/score-rules",
        lambda r: {"points": {"phone": 12}},
        not_null=("points",),
        numbers={"points": {"phone": HUGE}},
    ),
    "create plan": Endpoint(
        "post",
        "/api/v1/plans",
        lambda r: {"period": "week", "day": "2031-02-05", "owner_id": r["owner"]},
        texts=("note",),
        choices=("period",),
        not_null=("period", "day"),
        numbers={"owner_id": 2**63 - 1, "day": "0001-01-01", "targets": {"won_amount": "9" * 30}},
        valid_status=201,
    ),  # fmt: skip
    "update plan": Endpoint(
        "patch",
        "/api/v1/plans/{plan}",
        lambda r: {"version": r["plan_version"], "note": "冲刺", "targets": {"visits": 3}},
        texts=("note",),
        numbers={"version": HUGE, "targets": {"contacts": "-1"}},
    ),
    "plan a contact": Endpoint(
        "post",
        "/api/v1/plans/{plan}/items",
        lambda r: {"version": r["plan_version"], "customer_id": r["customer"], "kind": "visit"},
        texts=("purpose",),
        choices=("kind",),
        not_null=("customer_id", "kind"),
        numbers={"customer_id": 2**63 - 1, "planned_on": "0001-01-01", "version": HUGE},
        valid_status=201,
    ),
    "review a week": Endpoint(
        "post",
        "/api/v1/plans/{plan}/review",
        lambda r: {
            "version": r["plan_version"],
            "lines": [{"item_id": r["plan_item"], "change": "none"}],
        },
        not_null=("lines",),
        numbers={"lines": [{"item_id": HUGE, "change": "none"}], "version": HUGE},
    ),
    "hand over a portfolio": Endpoint(
        "post",
        "/api/v1/staff/{owner}/handover",
        lambda r: {"to_user_id": r["other_owner"], "reason": "调岗"},
        texts=("reason",),
        not_null=("reason", "to_user_id"),
        numbers={"to_user_id": 2**63 - 1, "targets": {"leads": HUGE}},
        valid_status=201,
    ),
    "create working calendar": Endpoint(
        "post",
        "/api/v1/calendars",
        lambda r: {"name": "营业部", "periods": DESK_WEEK, "exceptions": [{"day": "2026-11-10"}]},
        texts=("name", "time_zone"),
        not_null=("name", "periods", "public_holidays"),
        numbers={
            "periods": [{"weekday": HUGE, "start": "09:00", "end": "12:00"}],
            "exceptions": [{"day": "0001-01-01"}],
        },
        valid_status=201,
    ),
    "update working calendar": Endpoint(
        "patch",
        "/api/v1/calendars/{calendar}",
        lambda r: {"version": r["calendar_version"], "name": "客服中心二"},
        texts=("name", "time_zone"),
        numbers={"version": HUGE, "periods": [{"weekday": 0, "start": "09:00", "end": "99:00"}]},
    ),
    "enter official schedule": Endpoint(
        "put",
        "/api/v1/calendars/official-schedules/2027",
        lambda r: {"holidays": [{"day": "2027-01-01", "name": "元旦"}], "version": 0},
        not_null=("holidays",),
        numbers={"version": HUGE, "holidays": [{"day": "0001-01-01", "name": "元旦"}]},
    ),
    "create SLA policy": Endpoint(
        "post",
        "/api/v1/sla-policies",
        lambda r: {
            "case_type": "inquiry",
            "priority": "high",
            "value_tier": "gold",
            "first_response_minutes": 60,
            "resolution_minutes": 480,
            "calendar_id": r["calendar"],
        },
        texts=("case_type", "priority", "value_tier"),
        choices=("case_type", "priority", "value_tier"),
        not_null=("case_type", "priority", "first_response_minutes", "calendar_id"),
        numbers={
            "first_response_minutes": HUGE,
            "resolution_minutes": -1,
            "calendar_id": 2**63 - 1,
        },
        valid_status=201,
    ),
    "update SLA policy": Endpoint(
        "patch",
        "/api/v1/sla-policies/{sla_policy}",
        lambda r: {"version": r["sla_policy_version"], "resolution_minutes": 4800},
        choices=("case_type", "priority", "value_tier"),
        numbers={"version": HUGE, "resolution_minutes": HUGE, "calendar_id": 2**63 - 1},
    ),
    "open case": Endpoint(
        "post",
        "/api/v1/cases",
        lambda r: {
            "customer_id": r["customer"],
            "case_type": "complaint",
            "channel": "hotline",
            "subject": "手续费争议",
            "queue_id": r["queue"],
        },  # fmt: skip
        texts=("subject",),  # a description may be 10,000 characters long
        choices=("case_type", "channel", "priority"),
        not_null=("customer_id", "case_type", "channel", "subject"),
        numbers={"customer_id": 2**63 - 1, "category_id": HUGE, "product_id": 0, "owner_id": -1},
        valid_status=201,
    ),
    "update case": Endpoint(
        "patch",
        "/api/v1/cases/{case}",
        lambda r: {"version": r["case_version"], "subject": "新主题"},
        texts=("subject",),
        choices=("priority", "channel"),
        numbers={"version": HUGE, "category_id": 2**63 - 1, "product_id": HUGE},
    ),
    "move a case": Endpoint(
        "post",
        "/api/v1/cases/{case}/transition",
        lambda r: {"version": r["case_version"], "state": "acknowledged"},
        texts=("note",),
        choices=("state",),
        not_null=("state", "note", "on_the_spot"),
        numbers={
            "version": HUGE,
            "root_cause_id": 2**63 - 1,
            "promised_reply_at": "0001-01-01T00:00:00+00:00",
        },  # fmt: skip
    ),
    "assign a case": Endpoint(
        "post",
        "/api/v1/cases/{case}/assign",
        lambda r: {"version": r["case_version"], "queue_id": r["other_queue"]},
        texts=("reason",),
        not_null=("reason",),
        numbers={"version": HUGE, "queue_id": 2**63 - 1, "owner_id": HUGE},
    ),
    "create case category": Endpoint(
        "post",
        "/api/v1/case-categories",
        lambda r: {"code": "FEES", "name": "收费", "default_queue_id": r["queue"]},
        texts=("code", "name", "name_en"),
        not_null=("code", "name"),
        numbers={"parent_id": 2**63 - 1, "default_queue_id": HUGE},
        valid_status=201,
    ),
    "create root cause": Endpoint(
        "post",
        "/api/v1/root-causes",
        lambda r: {"code": "STAFF", "name": "员工服务态度"},
        texts=("code", "name", "name_en"),
        not_null=("code", "name"),
        numbers={"parent_id": 2**63 - 1},
        valid_status=201,
    ),
}


def _cases():
    for name, endpoint in ENDPOINTS.items():
        for key in endpoint.texts:
            yield pytest.param(name, key, LONG, id=f"{name}-{key}-too-long")
        for key in endpoint.choices:
            yield pytest.param(name, key, "no-such-choice", id=f"{name}-{key}-unknown-choice")
        for key in endpoint.not_null:
            yield pytest.param(name, key, None, id=f"{name}-{key}-null")
        for key, value in endpoint.numbers.items():
            yield pytest.param(name, key, value, id=f"{name}-{key}-out-of-range")


@pytest.fixture
def records(staff, org, make_customer, settings) -> dict:
    """Ids the endpoints' bodies and paths refer to."""
    settings.GUANXI_LEADS = {"web_forms": WEB_FORM}
    admin = policy.Viewer.of(staff["admin"])
    person = make_customer("张三")
    company = make_customer("星河贸易有限公司", kind="organisation", id_number="")
    contact = contacts.contact_add(
        viewer=admin,
        customer_id=company.pk,
        fields=ContactFields(name="赵六"),
        context=RequestContext(channel="test"),
    )
    group = groups.group_create(viewer=admin, name="名单", kind="static", saved_filter={})
    definitions.product_define(
        viewer=admin, data={"code": "DEP1", "name": "定期存款", "kind": "deposit"}
    )
    task = activity_services.activity_log(
        viewer=admin,
        fields=ActivityFields(kind="task", customer_id=person.pk, subject="准备方案"),
        context=RequestContext(channel="test"),
    )
    opportunity = sales.opportunity_create(
        viewer=admin,
        fields=OpportunityFields(name="理财配置", customer_id=person.pk),
        context=RequestContext(channel="test"),
    )
    lead = leads.lead_create(
        viewer=admin,
        fields=LeadFields(
            name="周瑜", source="phone", phone="13700001111", branch_id=org["north"].pk,
            owner_id=staff["account_manager"].pk,
        ),
        context=RequestContext(channel="test"),
    )  # fmt: skip
    plan = plans.plan_create(
        viewer=admin, period="week", day=date(2031, 1, 8), owner_id=staff["account_manager"].pk,
        context=RequestContext(channel="test"),
    )  # fmt: skip
    plan_item = plans.plan_item_add(
        viewer=admin, plan_id=plan.pk, expected_version=1, customer_id=person.pk, kind="visit",
        context=RequestContext(channel="test"),
    )  # fmt: skip
    desk = service_calendars.calendar_create(
        viewer=admin, name="客服中心", periods=DESK_WEEK, context=RequestContext(channel="test")
    )
    sla_policy = sla_policies.sla_policy_create(
        viewer=admin, case_type="complaint", priority="normal", first_response_minutes=240,
        resolution_minutes=2400, calendar_id=desk.pk, context=RequestContext(channel="test"),
    )  # fmt: skip
    queue = ServiceQueue.objects.create(name="客服中心", kind="service_desk")
    other_queue = ServiceQueue.objects.create(name="清算部", kind="settlement")
    case = service_cases.case_create(
        viewer=admin, customer_id=person.pk, case_type="inquiry", channel="app",
        priority="normal", subject="转账限额", queue_id=queue.pk,
        context=RequestContext(channel="test"),
    )  # fmt: skip
    return {
        "case": case.pk,
        "case_version": case.version,
        "queue": queue.pk,
        "other_queue": other_queue.pk,
        "calendar": desk.pk,
        "calendar_version": desk.version,
        "sla_policy": sla_policy.pk,
        "sla_policy_version": sla_policy.version,
        "plan": plan.pk,
        "plan_version": 2,
        "plan_item": plan_item.pk,
        "lead": lead.pk,
        "lead_version": lead.version,
        "activity": task.pk,
        "activity_version": task.version,
        "opportunity": opportunity.pk,
        "opportunity_version": opportunity.version,
        "next_stage": Stage.objects.get(pipeline__code="acquisition", code="first_visit").pk,
        "customer": person.pk,
        "organisation": company.pk,
        "contact": contact.pk,
        "contact_version": Contact.objects.get(pk=contact.pk).version,
        "group": group.pk,
        "branch": org["north"].pk,
        "team": org["north_team"].pk,
        "owner": staff["account_manager"].pk,
        "other_owner": staff["other_manager"].pk,
        "version": Customer.objects.get(pk=person.pk).version,
        "organisation_version": Customer.objects.get(pk=company.pk).version,
    }


def send(client: Client, endpoint: Endpoint, records: dict, body: dict):
    path = endpoint.path.format(**records)
    return getattr(client, endpoint.method)(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_valid_body_of_each_endpoint_is_accepted(name, api_as, records):
    endpoint = ENDPOINTS[name]
    response = send(api_as("admin"), endpoint, records, endpoint.body(records))
    assert response.status_code == endpoint.valid_status, response.content


@pytest.mark.parametrize(("name", "key", "value"), _cases())
def test_a_hostile_value_is_refused_naming_the_field_and_changes_nothing(
    name, key, value, api_as, records
):
    endpoint = ENDPOINTS[name]
    client = api_as("admin")
    before = snapshot()
    response = send(client, endpoint, records, {**endpoint.body(records), key: value})
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    named = {d["field"].split(".")[0] for d in response.json()["detail"]}
    assert key in named or (key == "version" and response.status_code in (409, 412))
    assert snapshot() == before


# Read endpoints with query parameters: each hostile value is a 4xx naming the parameter.
QUERIES = {
    "cases": (
        "/api/v1/cases",
        {"state": "new", "sla_status": "on_time"},
        {
            "state": ("no-such-choice", LONG),
            "case_type": ("no-such-choice",),
            "priority": ("no-such-choice",),
            "sla_status": ("late", LONG),
            "queue_id": (str(HUGE), "0", "abc"),
            "customer_id": (str(2**63), "-1"),
            "page": (str(HUGE), "0"),
            "page_size": ("1000", "0"),
        },
    ),
    "process KPIs": (
        "/api/v1/kpis/process",
        {"period_start": "2026-04-01", "period_end": "2026-06-30", "group_by": "team"},
        {
            "period_start": ("0001-01-01", LONG, "2026-02-30"),
            "period_end": ("9999-12-31", "2025-01-01", LONG),
            "group_by": ("no-such-choice", LONG),
            "preset": ("no-such-choice",),
            "branch": (str(HUGE), "-1", LONG),
            "team": (str(HUGE), "0"),
            "owner": (str(2**63), "abc"),
        },
    ),
}


def _query_cases() -> list:
    return [
        pytest.param(name, key, value, id=f"{name}-{key}-{n}")
        for name, (_path, _valid, hostile) in QUERIES.items()
        for key, values in hostile.items()
        for n, value in enumerate(values)
    ]


@pytest.mark.parametrize("name", QUERIES)
def test_the_valid_query_of_each_read_is_accepted(name, api_as, records):
    path, valid, _hostile = QUERIES[name]
    assert api_as("admin").get(path, valid).status_code == 200


@pytest.mark.parametrize(("name", "key", "value"), _query_cases())
def test_a_hostile_query_value_is_refused_naming_the_parameter(name, key, value, api_as, records):
    path, valid, _hostile = QUERIES[name]
    before = snapshot()
    response = api_as("admin").get(path, {**valid, key: value})
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    assert key in {d["field"] for d in response.json()["detail"]}
    assert snapshot() == before
