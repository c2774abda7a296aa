"""The authorization matrix: every API operation and page × every role × a record in and
out of the role's scope, with the answer each must get.

``allow`` is a success, ``deny`` a 403, ``missing`` a 404 (a record out of scope reads as
one that does not exist; a batch naming one is ``invalid``, a 422 naming the ids), and
reads of a customer also check the ID number as each role sees it (full, masked or
hidden). The operations are read from the OpenAPI schema and the pages from the URL
resolver: one added without a row here fails ``test_every_api_operation_has_a_row`` or
``test_every_page_has_a_row``.

The expectations are written out here, not derived from ``guanxi.policy``, so the matrix
checks the policy instead of repeating it. Each case runs in a savepoint that is rolled
back, so writes of one case do not change the next.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

from guanxi import policy
from guanxi.activities import attachments as activity_attachments
from guanxi.activities import services as activity_services
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity
from guanxi.api import api
from guanxi.audit.services import RequestContext
from guanxi.conftest import PASSWORD
from guanxi.customers import contacts, definitions
from guanxi.customers.inputs import ContactFields
from guanxi.customers.models import Contact, Customer, CustomerGroup, Holding
from guanxi.insights.models import AnalysisRun, CrossSellSuggestion
from guanxi.leads import services as leads
from guanxi.leads.inputs import LeadFields
from guanxi.leads.models import Lead
from guanxi.org.models import ApiToken
from guanxi.org.roles import Role
from guanxi.org.services import create_staff
from guanxi.plans import services as plans
from guanxi.plans.models import Plan
from guanxi.sales import services as sales
from guanxi.sales.inputs import OpportunityFields
from guanxi.sales.models import Opportunity, Stage
from guanxi.scheduling import feed as calendar_feed
from guanxi.scheduling.models import Notification
from guanxi.service import calendars as service_calendars
from guanxi.service import care, case_attachments, cases, sla_policies, survey_templates, surveys
from guanxi.service.care_models import CareHoliday, CareReminder, FollowUp
from guanxi.service.case_models import Case, RootCause, ServiceQueue
from guanxi.web.tests.support import client_for

ROLES = (
    "admin",
    "branch_manager",
    "team_lead",
    "account_manager",
    "service_agent",
    "marketer",
    "analyst",
    "auditor",
)
EVERYONE = frozenset(ROLES)
# Roles whose record scope is every customer: for them nothing is out of scope.
SEE_ALL = frozenset({"admin", "service_agent", "marketer", "analyst", "auditor"})
EDITORS = frozenset({"admin", "branch_manager", "team_lead", "account_manager"})
GROUP_MAKERS = EDITORS | {"marketer"}
ADMIN = frozenset({"admin"})
OWNER_ASSIGNERS = frozenset({"admin", "branch_manager", "team_lead"})
AUDIT_READERS = frozenset({"admin", "auditor"})
ANALYTICS = frozenset({"admin", "analyst", "marketer", "branch_manager", "team_lead",
                       "account_manager"})  # fmt: skip
RUNNERS = frozenset({"admin", "analyst"})
# Activities are read by the roles that read customers' conversations, in their scope.
ACTIVITY_READERS = EDITORS | {"service_agent", "auditor"}
# Who reads opportunities and pipelines, and who works them (each within their scope).
SALES_READERS = EDITORS | {"analyst", "auditor"}
SELLERS = EDITORS
# Leads: sellers in their scope, marketers the ones they captured, auditors all of them.
LEAD_READERS = EDITORS | {"marketer", "auditor"}
# Roles for which a lead out of scope is no 404: they see every lead, or may read none.
LEAD_UNSCOPED = frozenset({"admin", "auditor", "service_agent", "analyst"})
# Plans: sellers in their scope (owner and branch), auditors all of them.
PLAN_READERS = EDITORS | {"auditor"}
WEB_FORM = {"site": {"token": "s3cret-form-token", "branch": "BJ01"}}
# How each role sees the resident ID of the in-scope customer (the account manager's own).
ID_SHOWN = {
    "admin": "full",
    "branch_manager": "masked",
    "team_lead": "masked",
    "account_manager": "full",
    "service_agent": "masked",
    "marketer": "hidden",
    "analyst": "hidden",
    "auditor": "masked",
}
SCOPES = ("in", "out")
CONTEXT = RequestContext(channel="test")


@dataclass
class World:
    """The records of the matrix, per scope: a person, and an organisation with a contact."""

    records: dict[str, dict]
    org: dict
    staff: dict
    id_numbers: dict[str, str]

    def version(self, customer_id: int) -> int:
        return Customer.objects.get(pk=customer_id).version


@dataclass(frozen=True)
class Row:
    """One operation or page: how to call it, and who gets what.

    ``allowed`` are the roles that succeed on the in-scope record; ``scoped``: a record out
    of a role's scope is a 404 for it (not for operations that name no customer record);
    ``allowed_out`` overrides who succeeds on the out-of-scope record.
    """

    call: Callable[[Client, World, dict, str], object]
    allowed: frozenset[str] = EVERYONE
    scoped: bool = True
    allowed_out: frozenset[str] | None = None
    web: bool = False
    check: Callable | None = None
    out_of_scope: str = "missing"  # the answer to a record out of the role's scope
    see_all: frozenset[str] = SEE_ALL  # roles for which nothing is out of scope

    def expected(self, role: str, scope: str) -> str:
        if scope == "out" and self.scoped and role not in self.see_all:
            return self.out_of_scope
        allowed = self.allowed_out if scope == "out" and self.allowed_out else self.allowed
        return "allow" if role in allowed else "deny"


def _json(method: str, path: str, body: Callable[[World, dict, str], dict] | None = None):
    def call(client: Client, world: World, record: dict, role: str):
        url = path.format(**record)
        data = body(world, record, role) if body else None
        if method == "get":
            return client.get(url, data or {})
        return getattr(client, method)(url, data, content_type="application/json")

    return call


def _page(method: str, path: str, data: Callable[[World, dict, str], dict] | None = None):
    def call(client: Client, world: World, record: dict, role: str):
        url = path.format(**record)
        payload = data(world, record, role) if data else {}
        return client.get(url, payload) if method == "get" else client.post(url, payload)

    return call


def _versioned(**fields):
    return lambda world, record, role: {**fields, "version": world.version(record["customer_id"])}


def _contact_version(world, record, role):
    return {"title": "总经理", "version": Contact.objects.get(pk=record["contact_id"]).version}


def _holding_version(world, record, role):
    return {"balance": "5000", "version": Holding.objects.get(pk=record["holding_id"]).version}


def _transfer(world, record, role):
    # The in-scope customer moves south; the south one moves north.
    south = record["branch_id"] == world.org["south"].pk
    target, owner = ("north", "account_manager") if south else ("south", "south_manager")
    return {
        "branch_id": world.org[target].pk,
        "owner_id": world.staff[owner].pk,
        "reason": "客户迁居",
        "version": world.version(record["customer_id"]),
    }


def _opportunity_versioned(**fields):
    def body(world, record, role):
        version = Opportunity.objects.get(pk=record["opportunity_id"]).version
        return {**fields, "version": version}

    return body


def _next_stage(world, record, role):
    stage = Stage.objects.get(pipeline__code="acquisition", code="first_visit")
    return _opportunity_versioned(stage_id=stage.pk)(world, record, role)


def _whole_team(world, record, role):
    members = [{"user_id": record["owner_id"], "share": "100"}]
    return _opportunity_versioned(members=members)(world, record, role)


def _lists_opportunity(response, world, record, role, scope) -> None:
    ids = {o["id"] for o in response.json()["results"]}
    assert (record["opportunity_id"] in ids) == (scope == "in" or role in SEE_ALL), (role, scope)


def _lead_versioned(**fields):
    def body(world, record, role):
        return {**fields, "version": Lead.objects.get(pk=record["lead_id"]).version}

    return body


def _lead_assignment(world, record, role):
    return _lead_versioned(owner_id=record["new_lead_owner_id"])(world, record, role)


ST = "/api/v1/staff"


def _handover(world, record, role):
    return {"to_user_id": record["new_lead_owner_id"], "reason": "调岗"}


def _lists_lead(response, world, record, role, scope) -> None:
    ids = {x["id"] for x in response.json()["results"]}
    assert (record["lead_id"] in ids) == (scope == "in" or role in LEAD_UNSCOPED), (role, scope)


def _page_lists_lead(response, world, record, role, scope) -> None:
    listed = f"/leads/{record['lead_id']}/" in response.content.decode()
    assert listed == (scope == "in" or role in LEAD_UNSCOPED), (role, scope)


def _new_customer(world, record, role):
    return {"name": "新客户", "branch_id": record["branch_id"], "owner_id": record["owner_id"]}


def _shows_id(response, world: World, record: dict, role: str, scope: str) -> None:
    """The customer's ID number appears as the role may see it, and no more of it."""
    number = world.id_numbers[scope]
    text = response.content.decode()
    shown = (
        "full"
        if number in text
        else "masked"
        if policy.mask_id_number(number) in text
        else ("hidden")
    )
    assert shown == ID_SHOWN[role], (role, scope)
    if shown != "full":
        assert number[6:14] not in text.replace("-", "")  # nor its birth date


def _lists_customer(response, world, record, role, scope) -> None:
    names = {r["name"] for r in response.json()["results"]}
    assert (record["name"] in names) == (scope == "in" or role in SEE_ALL), (role, scope)


def _page_lists_customer(response, world, record, role, scope) -> None:
    listed = f"/customers/{record['customer_id']}/" in response.content.decode()
    assert listed == (scope == "in" or role in SEE_ALL), (role, scope)


def _exports_customer(response, world, record, role, scope) -> None:
    exported = b"".join(response.streaming_content).decode("utf-8")
    assert (record["name"] in exported) == (scope == "in" or role in SEE_ALL), (role, scope)


def _lists_staff(response, world, record, role, scope) -> None:
    # The out-of-scope record's owner works in the south branch.
    names = {s["username"] for s in response.json()}
    assert ("am3" in names) == (role == "admin"), role


def _activity_version(**fields):
    def body(world, record, role):
        return {**fields, "version": Activity.objects.get(pk=record["activity_id"]).version}

    return body


def _new_activity(world, record, role):
    return {"kind": "call", "customer_id": record["customer_id"], "subject": "电话回访"}


def _lists_activity(response, world, record, role, scope) -> None:
    ids = {a["id"] for a in response.json()["results"]}
    reads = role in ACTIVITY_READERS and (scope == "in" or role in SEE_ALL)
    assert (record["activity_id"] in ids) == reads, (role, scope)


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("纪要.pdf", b"%PDF-1.4", content_type="application/pdf")


def _upload(client: Client, world: World, record: dict, role: str):
    return client.post(f"{AC}/{record['activity_id']}/attachments", {"file": _pdf()})


CAL = "/api/v1/calendar"


def _week(world, record, role):
    return {"start": "2031-01-06T00:00:00+08:00", "end": "2031-01-13T00:00:00+08:00"}


def _own_busy(world, record, role):
    return {**_week(world, record, role), "user_ids": str(world.staff[role].pk)}


def _new_meeting(world, record, role):
    return {
        "customer_id": record["customer_id"],
        "subject": "面谈",
        "starts_at": "2031-01-07T10:00:00+08:00",
        "participant_ids": [world.staff["team_lead"].pk],
    }


def _read_own_notification(client: Client, world: World, record: dict, role: str):
    note = Notification.objects.create(user=world.staff[role], kind="invited", text="邀请")
    return client.post(f"{CAL}/notifications/{note.pk}/read")


def _fetch_feed(client: Client, world: World, record: dict, role: str):
    token = calendar_feed.feed_regenerate(
        viewer=policy.Viewer.of(world.staff[role]), context=CONTEXT
    )
    return Client().get(f"/calendar/feed/{token}.ics")


def _plan_versioned(**fields):
    def body(world, record, role):
        return {**fields, "version": Plan.objects.get(pk=record["plan_id"]).version}

    return body


def _new_plan(world, record, role):
    return {"period": "week", "day": "2031-02-05", "owner_id": record["owner_id"]}


def _lists_plan(response, world, record, role, scope) -> None:
    ids = {p["id"] for p in response.json()["results"]}
    assert (record["plan_id"] in ids) == (scope == "in" or role in {"admin", "auditor"})


def _remove_item(client: Client, world: World, record: dict, role: str):
    version = Plan.objects.get(pk=record["plan_id"]).version
    return client.delete(
        f"{PL}/{record['plan_id']}/items/{record['plan_item_id']}?version={version}"
    )


# Process KPIs: their readers, each within their record scope; the figures of a colleague.
PROCESS_KPI_READERS = frozenset({"admin", "analyst", "branch_manager", "team_lead",
                                 "account_manager"})  # fmt: skip
KP = "/api/v1/kpis/process"


def _kpis_of_owner(world, record, role):
    return {"owner": record["owner_id"], "preset": "month"}


def _kpis_show_owner(response, world, record, role, scope) -> None:
    # The record's lead was captured today: its owner has figures this month.
    keys = {g["key"] for g in response.json()["groups"]}
    assert keys == {record["owner_id"]}, (role, scope)


def _page_kpis_show_owner(response, world, record, role, scope) -> None:
    # The page does not offer a colleague out of reach: it shows the viewer's own scope.
    shown = f'data-group="{record["owner_id"]}"' in response.content.decode()
    assert shown == (scope == "in" or role in {"admin", "analyst"}), (role, scope)


# Working calendars and SLA policies: administrators, service agents and managers read.
SERVICE_READERS = frozenset({"admin", "service_agent", "branch_manager", "team_lead"})
WC = "/api/v1/calendars"
SLA = "/api/v1/sla-policies"
DESK_WEEK = [{"weekday": d, "start": "09:00", "end": "17:30"} for d in range(5)]


def _new_calendar(world, record, role):
    return {"name": "新日历", "periods": DESK_WEEK}


def _new_year(world, record, role):
    return {"holidays": [{"day": "2027-01-01", "name": "元旦"}], "version": 0}


def _new_sla_policy(world, record, role):
    return {
        "case_type": "complaint",
        "priority": "urgent",
        "value_tier": "platinum",
        "first_response_minutes": 30,
        "resolution_minutes": 480,
        "calendar_id": record["calendar_id"],
    }


# Cases: read by the roles that work them and auditors, each in their own way of scope (an
# account manager their customers', an agent their own and their queues', a team lead
# their team's, a branch manager their branch's); marketers and analysts read none.
CASE_READERS = EDITORS | {"service_agent", "auditor"}
CASE_WORKERS = EDITORS | {"service_agent"}
CASE_ANALYSTS = CASE_READERS - {"account_manager"}
CASE_ASSIGNERS = OWNER_ASSIGNERS | {"service_agent"}
CASE_UNSCOPED = frozenset({"admin", "auditor", "marketer", "analyst"})
CS = "/api/v1/cases"


def _case_versioned(**fields):
    def body(world, record, role):
        return {**fields, "version": Case.objects.get(pk=record["case_id"]).version}

    return body


def _new_case(world, record, role):
    return {"customer_id": record["customer_id"], "case_type": "inquiry", "channel": "hotline",
            "subject": "咨询理财到期"}  # fmt: skip


def _new_corrective_action(world, record, role):
    cause = RootCause.objects.get_or_create(code="MATRIX", defaults={"name": "矩阵"})[0]
    return {"root_cause_id": cause.pk, "taken_on": "2026-01-05", "description": "整改"}


def _case_transfer(world, record, role):
    return _case_versioned(queue_id=record["transfer_queue_id"])(world, record, role)


# Surveys: staff who read cases read surveys, administrators write them; answers and
# invitations are read by those who see their customer or case (marketers and analysts
# none); whoever may open a case for a customer may invite them.
SURVEY_READERS = CASE_READERS
SV = "/api/v1/surveys"
SI = "/api/v1/survey-invitations"
SR = "/api/v1/survey-responses"


def _new_survey(world, record, role):
    return {"name": "新问卷", "kind": "periodic", "csat_question": "满意吗？"}


def _new_periodic_invitations(world, record, role):
    return {"template_id": record["periodic_survey_id"], "customer_ids": [record["customer_id"]]}


def _new_invitation(world, record, role):
    return {"template_id": record["survey_id"], "customer_id": record["customer_id"]}


# Follow-up visits and care reminders: the people who look after customers, each in their
# scope (auditors read follow-ups); coverage reports for those who answer for a team.
GREETERS = EDITORS
FOLLOW_UP_READERS = EDITORS | {"auditor"}
REPORTERS = OWNER_ASSIGNERS
FU = "/api/v1/follow-ups"
CR = "/api/v1/care-reminders"


def _outcome_versioned(world, record, role):
    return {
        "outcome": "reached",
        "version": FollowUp.objects.get(pk=record["follow_up_id"]).version,
    }


def _period(world, record, role):
    return {"start": "2030-01-01", "end": "2030-01-31"}


def _greeting(channel: str):
    def body(world, record, role):
        reminder = CareReminder.objects.get(pk=record["care_reminder_id"])
        data = {"customer_id": reminder.customer_id, "occasion": reminder.occasion,
                "version": reminder.version}  # fmt: skip
        return {**data, "channel": channel} if channel else data

    return body


C = "/api/v1/customers"
PL = "/api/v1/plans"
AC = "/api/v1/activities"
OPP = "/api/v1/opportunities"
LD = "/api/v1/leads"
API: dict[str, Row] = {
    "POST /api/v1/auth/token": Row(
        lambda client, world, record, role: Client().post(
            "/api/v1/auth/token",
            {"username": world.staff[role].username, "password": PASSWORD},
            content_type="application/json",
        ),
        scoped=False,
    ),
    "DELETE /api/v1/auth/token": Row(_json("delete", "/api/v1/auth/token"), scoped=False),
    "GET /api/v1/org/me": Row(_json("get", "/api/v1/org/me"), scoped=False),
    "GET /api/v1/org/branches": Row(_json("get", "/api/v1/org/branches"), scoped=False),
    "GET /api/v1/org/staff": Row(
        _json("get", "/api/v1/org/staff"), scoped=False, check=_lists_staff
    ),
    "GET /api/v1/customers": Row(_json("get", C), scoped=False, check=_lists_customer),
    "GET /api/v1/customers/export.csv": Row(
        _json("get", C + "/export.csv"), scoped=False, check=_exports_customer
    ),
    "GET /api/v1/customers/export.xlsx": Row(_json("get", C + "/export.xlsx"), scoped=False),
    "POST /api/v1/customers": Row(
        _json("post", C, _new_customer), EDITORS, scoped=False, allowed_out=ADMIN
    ),
    "GET /api/v1/customers/{customer_id}": Row(_json("get", C + "/{customer_id}"), check=_shows_id),
    "PATCH /api/v1/customers/{customer_id}": Row(
        _json("patch", C + "/{customer_id}", _versioned(occupation="教师")), EDITORS
    ),
    "POST /api/v1/customers/{customer_id}/lifecycle": Row(
        _json("post", C + "/{customer_id}/lifecycle", _versioned(status="lost", reason="销户")),
        EDITORS,
    ),
    "POST /api/v1/customers/{customer_id}/transfer": Row(
        _json("post", C + "/{customer_id}/transfer", _transfer), ADMIN
    ),
    "PUT /api/v1/customers/{customer_id}/tags": Row(
        _json("put", C + "/{customer_id}/tags", _versioned(tags=["高净值"])), EDITORS
    ),
    "POST /api/v1/customers/{customer_id}/reveal": Row(
        _json(
            "post",
            C + "/{customer_id}/reveal",
            lambda world, record, role: {"field": "id_number", "reason": "客户来电核实身份"},
        ),
        EVERYONE - {"marketer", "analyst"},  # their ID access is hidden, not masked
    ),
    "POST /api/v1/customers/{customer_id}/contacts": Row(
        _json(
            "post",
            C + "/{organisation_id}/contacts",
            lambda world, record, role: {"name": "王五"},
        ),
        EDITORS,
    ),
    "PATCH /api/v1/customers/{customer_id}/contacts/{contact_id}": Row(
        _json("patch", C + "/{organisation_id}/contacts/{contact_id}", _contact_version), EDITORS
    ),
    "DELETE /api/v1/customers/{customer_id}/contacts/{contact_id}": Row(
        _json("delete", C + "/{organisation_id}/contacts/{contact_id}"), EDITORS
    ),
    "POST /api/v1/customers/{customer_id}/holdings": Row(
        _json(
            "post",
            C + "/{customer_id}/holdings",
            lambda world, record, role: {"product_code": "DEP1", "opened_at": "2025-01-02"},
        ),
        EDITORS,
    ),
    "PATCH /api/v1/customers/{customer_id}/holdings/{holding_id}": Row(
        _json("patch", C + "/{customer_id}/holdings/{holding_id}", _holding_version), EDITORS
    ),
    "POST /api/v1/customers/{customer_id}/transactions": Row(
        _json(
            "post",
            C + "/{customer_id}/transactions",
            lambda world, record, role: {
                "amount": "88.00",
                "channel": "branch",
                "occurred_at": "2025-03-01T10:00:00+08:00",
            },
        ),
        EDITORS,
    ),
    # The customer keeps its owner (the one the team lead may give it to as well).
    "POST /api/v1/customers/assign-owner": Row(
        _json(
            "post",
            C + "/assign-owner",
            lambda world, record, role: {
                "owner_id": record["owner_id"],
                "customer_ids": [record["customer_id"]],
            },
        ),
        OWNER_ASSIGNERS,
        out_of_scope="invalid",
    ),
    "GET /api/v1/customers/groups": Row(_json("get", C + "/groups"), scoped=False),
    "POST /api/v1/customers/groups": Row(
        _json("post", C + "/groups", lambda world, record, role: {"name": "新", "kind": "static"}),
        GROUP_MAKERS,
        scoped=False,
    ),
    # Groups are not scoped records: "in" is a group the caller made, "out" the
    # administrator's; only its creator (who may make groups) or an administrator may
    # change or delete it.
    "POST /api/v1/customers/groups/{group_id}/members": Row(
        _json(
            "post",
            C + "/groups/{group_id}/members",
            lambda world, record, role: {"add": [world.records["in"]["customer_id"]]},
        ),
        GROUP_MAKERS,
        scoped=False,
        allowed_out=ADMIN,
    ),
    "DELETE /api/v1/customers/groups/{group_id}": Row(
        _json("delete", C + "/groups/{group_id}"), GROUP_MAKERS, scoped=False, allowed_out=ADMIN
    ),
    "GET /api/v1/customers/custom-fields": Row(_json("get", C + "/custom-fields"), scoped=False),
    "POST /api/v1/customers/custom-fields": Row(
        _json(
            "post",
            C + "/custom-fields",
            lambda world, record, role: {"key": "risk", "label": "风险", "field_type": "text"},
        ),
        ADMIN,
        scoped=False,
    ),
    "GET /api/v1/customers/products": Row(_json("get", C + "/products"), scoped=False),
    "POST /api/v1/customers/products": Row(
        _json(
            "post",
            C + "/products",
            lambda world, record, role: {"code": "WM2", "name": "理财二号", "kind": "wealth"},
        ),
        ADMIN,
        scoped=False,
    ),
    "GET /api/v1/audit": Row(_json("get", "/api/v1/audit"), AUDIT_READERS, scoped=False),
    "GET /api/v1/audit/export.csv": Row(
        _json("get", "/api/v1/audit/export.csv"), AUDIT_READERS, scoped=False
    ),
    "GET /api/v1/insights/runs": Row(
        _json("get", "/api/v1/insights/runs"), ANALYTICS, scoped=False
    ),
    "POST /api/v1/insights/runs": Row(
        _json("post", "/api/v1/insights/runs"), RUNNERS, scoped=False
    ),
    "GET /api/v1/insights/customers/{customer_id}/scores": Row(
        _json("get", "/api/v1/insights/customers/{customer_id}/scores")
    ),
    # Marketers and analysts read no activities: their list is empty, not refused.
    "GET /api/v1/activities": Row(_json("get", AC), scoped=False, check=_lists_activity),
    # Logging on a customer out of scope names the customer (422) rather than finding it.
    "POST /api/v1/activities": Row(
        _json("post", AC, _new_activity), EDITORS, out_of_scope="invalid"
    ),
    "GET /api/v1/activities/contact-rules": Row(
        _json("get", AC + "/contact-rules"), ACTIVITY_READERS, scoped=False
    ),
    "PUT /api/v1/activities/contact-rules/{value_tier}": Row(
        _json(
            "put",
            AC + "/contact-rules/platinum",
            lambda world, record, role: {"every_days": 14, "kind": "visit"},
        ),
        ADMIN,
        scoped=False,
    ),
    "GET /api/v1/activities/{activity_id}": Row(
        _json("get", AC + "/{activity_id}"), ACTIVITY_READERS
    ),
    "PATCH /api/v1/activities/{activity_id}": Row(
        _json("patch", AC + "/{activity_id}", _activity_version(outcome="已联系")), EDITORS
    ),
    "POST /api/v1/activities/{activity_id}/complete": Row(
        _json("post", AC + "/{activity_id}/complete", _activity_version(outcome="完成")), EDITORS
    ),
    "POST /api/v1/activities/{activity_id}/reschedule": Row(
        _json("post", AC + "/{activity_id}/reschedule", _activity_version(due_on="2031-01-02")),
        EDITORS,
    ),
    "POST /api/v1/activities/{activity_id}/attachments": Row(_upload, EDITORS),
    "GET /api/v1/my-day": Row(_json("get", "/api/v1/my-day"), scoped=False),
    "GET /api/v1/calendar": Row(_json("get", CAL, _week), scoped=False),
    "GET /api/v1/calendar/busy": Row(_json("get", CAL + "/busy", _own_busy), scoped=False),
    # A customer out of the caller's scope is a 422 naming customer_id (as for activities).
    "POST /api/v1/calendar/meetings": Row(
        _json("post", CAL + "/meetings", _new_meeting), EDITORS, out_of_scope="invalid"
    ),
    "GET /api/v1/calendar/feed-url": Row(_json("get", CAL + "/feed-url"), scoped=False),
    "POST /api/v1/calendar/feed-url/regenerate": Row(
        _json("post", CAL + "/feed-url/regenerate"), scoped=False
    ),
    "DELETE /api/v1/calendar/feed-url": Row(_json("delete", CAL + "/feed-url"), scoped=False),
    "GET /api/v1/calendar/notifications": Row(_json("get", CAL + "/notifications"), scoped=False),
    # Each reads their own (another's notification is a 404: the scheduling tests).
    "POST /api/v1/calendar/notifications/{notification_id}/read": Row(
        _read_own_notification, scoped=False
    ),
    "GET /api/v1/pipelines": Row(_json("get", "/api/v1/pipelines"), SALES_READERS, scoped=False),
    "GET /api/v1/opportunities": Row(
        _json("get", OPP), SALES_READERS, scoped=False, check=_lists_opportunity
    ),
    # A customer out of the caller's scope is a 422 naming customer_id (not a path's 404).
    "POST /api/v1/opportunities": Row(
        _json(
            "post",
            OPP,
            lambda world, record, role: {"name": "新机会", "customer_id": record["customer_id"]},
        ),
        SELLERS,
        out_of_scope="invalid",
    ),
    "GET /api/v1/opportunities/forecast": Row(
        _json("get", OPP + "/forecast"), SALES_READERS, scoped=False
    ),
    "POST /api/v1/opportunities/from-suggestion": Row(
        _json(
            "post",
            OPP + "/from-suggestion",
            lambda world, record, role: {"suggestion_id": record["suggestion_id"]},
        ),
        SELLERS,
        out_of_scope="invalid",
    ),
    "GET /api/v1/opportunities/{opportunity_id}": Row(
        _json("get", OPP + "/{opportunity_id}"), SALES_READERS
    ),
    "PATCH /api/v1/opportunities/{opportunity_id}": Row(
        _json("patch", OPP + "/{opportunity_id}", _opportunity_versioned(next_step="回访")), SELLERS
    ),
    "POST /api/v1/opportunities/{opportunity_id}/stage": Row(
        _json("post", OPP + "/{opportunity_id}/stage", _next_stage), SELLERS
    ),
    "POST /api/v1/opportunities/{opportunity_id}/win": Row(
        _json("post", OPP + "/{opportunity_id}/win", _opportunity_versioned()), SELLERS
    ),
    "POST /api/v1/opportunities/{opportunity_id}/lose": Row(
        _json("post", OPP + "/{opportunity_id}/lose", _opportunity_versioned(loss_reason="price")),
        SELLERS,
    ),
    "PUT /api/v1/opportunities/{opportunity_id}/team": Row(
        _json("put", OPP + "/{opportunity_id}/team", _whole_team), SELLERS
    ),
    "GET /api/v1/leads": Row(_json("get", LD), LEAD_READERS, scoped=False, check=_lists_lead),
    # Sellers capture for their own branch (another is a 422 naming branch_id).
    "POST /api/v1/leads": Row(
        _json(
            "post",
            LD,
            lambda world, record, role: {
                "name": "新线索",
                "source": "phone",
                "branch_id": record["branch_id"],
            },
        ),
        EDITORS | {"marketer"},
        out_of_scope="invalid",
        see_all=LEAD_UNSCOPED | {"marketer"},
    ),
    # No login: the form's token is the check, whoever sends it.
    "POST /api/v1/leads/web-form": Row(
        _json(
            "post",
            LD + "/web-form",
            lambda world, record, role: {
                "form": "site",
                "token": WEB_FORM["site"]["token"],
                "name": "网上客户",
                "phone": "13911112222",
            },  # fmt: skip
        ),
        scoped=False,
    ),
    "GET /api/v1/leads/score-rules": Row(_json("get", LD + "/score-rules"), ADMIN, scoped=False),
    "PUT /api/v1/leads/score-rules": Row(
        _json("put", LD + "/score-rules", lambda world, record, role: {"points": {"phone": 12}}),
        ADMIN,
        scoped=False,
    ),
    "GET /api/v1/leads/assignment-rules": Row(
        _json("get", LD + "/assignment-rules"), ADMIN, scoped=False
    ),
    "PUT /api/v1/leads/assignment-rules": Row(
        _json(
            "put",
            LD + "/assignment-rules",
            lambda world, record, role: {
                "rules": [
                    {"branch_id": world.org["north"].pk, "team_id": world.org["north_team"].pk}
                ]
            },
        ),
        ADMIN,
        scoped=False,
    ),
    # A colleague's absence and capacity: the in-scope one is the team lead's team member.
    "PUT /api/v1/leads/assignees/{user_id}": Row(
        _json(
            "put",
            LD + "/assignees/{owner_id}",
            lambda world, record, role: {"absent_until": "2031-01-01", "max_open_leads": 50},
        ),
        OWNER_ASSIGNERS,
        see_all=EVERYONE - {"branch_manager", "team_lead"},
    ),
    "GET /api/v1/leads/{lead_id}": Row(
        _json("get", LD + "/{lead_id}"), LEAD_READERS, see_all=LEAD_UNSCOPED
    ),
    "PATCH /api/v1/leads/{lead_id}": Row(
        _json("patch", LD + "/{lead_id}", _lead_versioned(company="新公司")),
        SELLERS,
        see_all=LEAD_UNSCOPED,
    ),  # fmt: skip
    "POST /api/v1/leads/{lead_id}/status": Row(
        _json("post", LD + "/{lead_id}/status", _lead_versioned(status="contacted")),
        SELLERS,
        see_all=LEAD_UNSCOPED,
    ),  # fmt: skip
    "POST /api/v1/leads/{lead_id}/assign": Row(
        _json("post", LD + "/{lead_id}/assign", _lead_assignment),
        OWNER_ASSIGNERS,
        see_all=LEAD_UNSCOPED,
    ),  # fmt: skip
    "POST /api/v1/leads/{lead_id}/convert": Row(
        _json("post", LD + "/{lead_id}/convert", _lead_versioned()),
        SELLERS,
        see_all=LEAD_UNSCOPED,
    ),  # fmt: skip
    "GET /api/v1/plans": Row(_json("get", PL), PLAN_READERS, scoped=False, check=_lists_plan),
    # Another branch's account manager is no owner the caller may plan for: 422 owner_id.
    "POST /api/v1/plans": Row(_json("post", PL, _new_plan), EDITORS, out_of_scope="invalid"),
    "GET /api/v1/plans/agenda": Row(_json("get", PL + "/agenda"), PLAN_READERS, scoped=False),
    # Figures of the caller's scope (none for a role that sees no plans): no record named.
    "GET /api/v1/plans/completion": Row(
        _json(
            "get",
            PL + "/completion",
            lambda w, r, role: {"first": "2031-01-01", "last": "2031-01-31"},
        ),
        scoped=False,
    ),  # fmt: skip
    "GET /api/v1/plans/{plan_id}": Row(_json("get", PL + "/{plan_id}"), PLAN_READERS),
    "PATCH /api/v1/plans/{plan_id}": Row(
        _json("patch", PL + "/{plan_id}", _plan_versioned(note="冲刺")), EDITORS
    ),
    "POST /api/v1/plans/{plan_id}/items": Row(
        _json(
            "post",
            PL + "/{plan_id}/items",
            lambda w, r, role: _plan_versioned(customer_id=r["customer_id"], kind="visit")(
                w, r, role
            ),
        ),
        EDITORS,
    ),  # fmt: skip
    "DELETE /api/v1/plans/{plan_id}/items/{item_id}": Row(_remove_item, EDITORS),
    "POST /api/v1/plans/{plan_id}/review": Row(
        _json(
            "post",
            PL + "/{plan_id}/review",
            lambda w, r, role: _plan_versioned(
                lines=[{"item_id": r["plan_item_id"], "change": "none"}]
            )(w, r, role),
        ),
        EDITORS,
    ),  # fmt: skip
    "GET /api/v1/plans/{plan_id}/completion": Row(
        _json("get", PL + "/{plan_id}/completion"), PLAN_READERS
    ),
    # Staff: the in-scope colleague is the team lead's team member (the account manager),
    # handed to the team lead; the out-of-scope one the south manager, handed to am5.
    # Deactivated is the one receiving (who holds nothing).
    "GET /api/v1/staff": Row(_json("get", ST), scoped=False),
    "GET /api/v1/staff/{user_id}/portfolio": Row(
        _json("get", ST + "/{owner_id}/portfolio"),
        OWNER_ASSIGNERS,
        see_all=EVERYONE - {"branch_manager", "team_lead"},
    ),
    "POST /api/v1/staff/{user_id}/handover": Row(
        _json("post", ST + "/{owner_id}/handover", _handover),
        OWNER_ASSIGNERS,
        see_all=EVERYONE - {"branch_manager", "team_lead"},
    ),
    "POST /api/v1/staff/{user_id}/deactivate": Row(
        _json("post", ST + "/{new_lead_owner_id}/deactivate"), ADMIN, scoped=False
    ),
    "GET /api/v1/kpis/process": Row(
        _json("get", KP, _kpis_of_owner), PROCESS_KPI_READERS, check=_kpis_show_owner
    ),
    # Working calendars and SLA policies: reference data (no scope), administrators write.
    "GET /api/v1/calendars": Row(_json("get", WC), SERVICE_READERS, scoped=False),
    "POST /api/v1/calendars": Row(_json("post", WC, _new_calendar), ADMIN, scoped=False),
    "GET /api/v1/calendars/coverage": Row(
        _json("get", WC + "/coverage"), SERVICE_READERS, scoped=False
    ),
    "GET /api/v1/calendars/official-schedules": Row(
        _json("get", WC + "/official-schedules"), SERVICE_READERS, scoped=False
    ),
    "PUT /api/v1/calendars/official-schedules/{year}": Row(
        _json("put", WC + "/official-schedules/2027", _new_year), ADMIN, scoped=False
    ),
    "GET /api/v1/calendars/{calendar_id}": Row(
        _json("get", WC + "/{calendar_id}"), SERVICE_READERS, scoped=False
    ),
    "PATCH /api/v1/calendars/{calendar_id}": Row(
        _json("patch", WC + "/{calendar_id}", lambda w, r, role: {"version": 1, "name": "新"}),
        ADMIN,
        scoped=False,
    ),
    # Cases: the list shows each role its own scope; a customer out of scope is a 422.
    "GET /api/v1/cases": Row(_json("get", CS), CASE_READERS, scoped=False),
    "POST /api/v1/cases": Row(_json("post", CS, _new_case), CASE_WORKERS, out_of_scope="invalid"),
    "GET /api/v1/cases/{case_id}": Row(
        _json("get", CS + "/{case_id}"), CASE_READERS, see_all=CASE_UNSCOPED
    ),
    "PATCH /api/v1/cases/{case_id}": Row(
        _json("patch", CS + "/{case_id}", _case_versioned(subject="新主题")),
        CASE_WORKERS,
        see_all=CASE_UNSCOPED,
    ),
    "POST /api/v1/cases/{case_id}/transition": Row(
        _json("post", CS + "/{case_id}/transition", _case_versioned(state="acknowledged")),
        CASE_WORKERS,
        see_all=CASE_UNSCOPED,
    ),
    "POST /api/v1/cases/{case_id}/attachments": Row(
        lambda client, world, record, role: client.post(
            f"{CS}/{record['case_id']}/attachments", {"file": _pdf()}
        ),
        CASE_WORKERS,
        see_all=CASE_UNSCOPED,
    ),
    "GET /api/v1/cases/{case_id}/attachments": Row(
        _json("get", CS + "/{case_id}/attachments"), CASE_READERS, see_all=CASE_UNSCOPED
    ),
    "GET /api/v1/cases/{case_id}/attachments/{attachment_id}": Row(
        _json("get", CS + "/{case_id}/attachments/{case_attachment_id}"),
        CASE_READERS,
        see_all=CASE_UNSCOPED,
    ),
    "POST /api/v1/cases/{case_id}/assign": Row(
        _json("post", CS + "/{case_id}/assign", _case_transfer),
        CASE_ASSIGNERS,
        see_all=CASE_UNSCOPED,
    ),
    # Case categories and root causes: reference data every member of staff reads.
    "GET /api/v1/case-categories": Row(_json("get", "/api/v1/case-categories"), scoped=False),
    "POST /api/v1/case-categories": Row(
        _json("post", "/api/v1/case-categories", lambda w, r, role: {"code": "X", "name": "类"}),
        ADMIN,
        scoped=False,
    ),
    "GET /api/v1/root-causes": Row(_json("get", "/api/v1/root-causes"), scoped=False),
    "POST /api/v1/root-causes": Row(
        _json("post", "/api/v1/root-causes", lambda w, r, role: {"code": "X", "name": "因"}),
        ADMIN,
        scoped=False,
    ),
    # The desk's analyses: over the cases each reader may read; account managers see their
    # customers' cases one by one only. Corrective actions: administrators record them.
    **{
        f"GET /api/v1/case-analysis/{part}": Row(
            _json("get", f"/api/v1/case-analysis/{part}"), CASE_ANALYSTS, scoped=False
        )
        for part in (
            "pareto",
            "repeat-complaints",
            "recurrence",
            "resolution-times",
            "department-times",
            "needs",
        )  # fmt: skip
    },
    "POST /api/v1/corrective-actions": Row(
        _json("post", "/api/v1/corrective-actions", _new_corrective_action), ADMIN, scoped=False
    ),
    "GET /api/v1/surveys": Row(_json("get", SV), SURVEY_READERS, scoped=False),
    "POST /api/v1/surveys": Row(_json("post", SV, _new_survey), ADMIN, scoped=False),
    "GET /api/v1/surveys/{survey_id}": Row(
        _json("get", SV + "/{survey_id}"), SURVEY_READERS, scoped=False
    ),
    "PATCH /api/v1/surveys/{survey_id}": Row(
        _json("patch", SV + "/{survey_id}", lambda w, r, role: {"version": 1, "name": "新"}),
        ADMIN,
        scoped=False,
    ),
    "GET /api/v1/survey-invitations": Row(_json("get", SI), SURVEY_READERS, scoped=False),
    "POST /api/v1/survey-invitations": Row(
        _json("post", SI, _new_invitation), CASE_WORKERS, out_of_scope="invalid"
    ),
    "POST /api/v1/survey-invitations/periodic": Row(
        _json("post", SI + "/periodic", _new_periodic_invitations),
        CASE_WORKERS,
        out_of_scope="invalid",
    ),
    "GET /api/v1/survey-responses": Row(_json("get", SR), SURVEY_READERS, scoped=False),
    "GET /api/v1/survey-responses/report": Row(
        _json("get", SR + "/report"), SURVEY_READERS, scoped=False
    ),
    "GET /api/v1/survey-responses/{response_id}": Row(
        _json("get", SR + "/{survey_response_id}"), SURVEY_READERS
    ),
    "GET /api/v1/follow-ups": Row(_json("get", FU), FOLLOW_UP_READERS, scoped=False),
    "GET /api/v1/follow-ups/coverage": Row(
        _json(
            "get", FU + "/coverage", lambda w, r, role: {"start": "2030-01-01", "end": "2030-01-31"}
        ),
        REPORTERS,
        scoped=False,
    ),
    "GET /api/v1/follow-ups/rules": Row(_json("get", FU + "/rules"), GREETERS, scoped=False),
    "PUT /api/v1/follow-ups/rules/{reason}": Row(
        _json("put", FU + "/rules/new_customer", lambda w, r, role: {"days": 60, "version": 0}),
        ADMIN,
        scoped=False,
    ),
    "POST /api/v1/follow-ups/{follow_up_id}/outcome": Row(
        _json("post", FU + "/{follow_up_id}/outcome", _outcome_versioned), GREETERS
    ),
    "GET /api/v1/care-reminders": Row(_json("get", CR), GREETERS, scoped=False),
    "POST /api/v1/care-reminders/send": Row(_json("post", CR + "/send", _greeting("")), GREETERS),
    "POST /api/v1/care-reminders/phoned": Row(
        _json("post", CR + "/phoned", _greeting("")), GREETERS
    ),
    "GET /api/v1/care-reminders/greetings": Row(
        _json("get", CR + "/greetings"), GREETERS, scoped=False
    ),
    "PUT /api/v1/care-reminders/greetings/{kind}/{language}": Row(
        _json(
            "put",
            CR + "/greetings/birthday/zh-hans",
            lambda w, r, role: {"subject": "{name}，生日快乐", "body": "祝福", "version": 0},
        ),
        ADMIN,
        scoped=False,
    ),
    "GET /api/v1/care-reminders/greeting-days": Row(
        _json("get", CR + "/greeting-days"), GREETERS, scoped=False
    ),
    "POST /api/v1/care-reminders/greeting-days": Row(
        _json(
            "post",
            CR + "/greeting-days",
            lambda w, r, role: {"day": "2028-10-26", "name": "重阳节"},
        ),
        ADMIN,
        scoped=False,
    ),
    "DELETE /api/v1/care-reminders/greeting-days/{day_id}": Row(
        _json("delete", CR + "/greeting-days/{greeting_day_id}"), ADMIN, scoped=False
    ),
    "GET /api/v1/sla-policies": Row(_json("get", SLA), SERVICE_READERS, scoped=False),
    "POST /api/v1/sla-policies": Row(_json("post", SLA, _new_sla_policy), ADMIN, scoped=False),
    "GET /api/v1/sla-policies/{policy_id}": Row(
        _json("get", SLA + "/{sla_policy_id}"), SERVICE_READERS, scoped=False
    ),
    "PATCH /api/v1/sla-policies/{policy_id}": Row(
        _json(
            "patch",
            SLA + "/{sla_policy_id}",
            lambda w, r, role: {"version": 1, "resolution_minutes": 960},
        ),
        ADMIN,
        scoped=False,
    ),
}

PAGES: dict[str, Row] = {
    "customers/": Row(
        _page("get", "/customers/"), scoped=False, web=True, check=_page_lists_customer
    ),
    "customers/new/": Row(_page("get", "/customers/new/"), EDITORS, scoped=False, web=True),
    "customers/export.csv": Row(
        _page("get", "/customers/export.csv"), scoped=False, web=True, check=_exports_customer
    ),
    "customers/export.xlsx": Row(_page("get", "/customers/export.xlsx"), scoped=False, web=True),
    "customers/<record_id:customer_id>/": Row(
        _page("get", "/customers/{customer_id}/"), web=True, check=_shows_id
    ),
    "customers/<record_id:customer_id>/edit/": Row(
        _page("get", "/customers/{customer_id}/edit/"), EDITORS, web=True
    ),
    "customers/<record_id:customer_id>/lifecycle/": Row(
        _page("get", "/customers/{customer_id}/lifecycle/"), EDITORS, web=True
    ),
    "customers/<record_id:customer_id>/reveal/<str:field>/": Row(
        _page(
            "post",
            "/customers/{customer_id}/reveal/id_number/",
            lambda world, record, role: {"reason": "客户来电核实身份"},
        ),
        EVERYONE - {"marketer", "analyst"},
        web=True,
    ),
    # The bulk page only counts the ids ticked; the services check them when applied.
    "customers/bulk/": Row(
        _page(
            "get",
            "/customers/bulk/",
            lambda world, record, role: {"action": "group", "customer_ids": record["customer_id"]},
        ),
        GROUP_MAKERS,
        scoped=False,
        web=True,
    ),
    "customers/groups/": Row(_page("get", "/customers/groups/"), scoped=False, web=True),
    "customers/groups/<record_id:group_id>/": Row(
        _page("get", "/customers/groups/{group_id}/"), scoped=False, web=True
    ),
    # As the API's members and delete: the caller's own group, or the administrator's.
    "customers/groups/<record_id:group_id>/members/": Row(
        _page(
            "post",
            "/customers/groups/{group_id}/members/",
            lambda world, record, role: {"customer_ids": record["customer_id"]},
        ),
        GROUP_MAKERS,
        scoped=False,
        allowed_out=ADMIN,
        web=True,
    ),
    "customers/groups/<record_id:group_id>/delete/": Row(
        _page("post", "/customers/groups/{group_id}/delete/"),
        GROUP_MAKERS,
        scoped=False,
        allowed_out=ADMIN,
        web=True,
    ),
    "activities/": Row(_page("get", "/activities/"), scoped=False, web=True),
    "activities/my-day/": Row(_page("get", "/activities/my-day/"), scoped=False, web=True),
    "activities/new/": Row(
        _page(
            "get",
            "/activities/new/",
            lambda world, record, role: {"customer": record["customer_id"]},
        ),
        EDITORS,
        web=True,
    ),
    "activities/contact-rules/": Row(
        _page("get", "/activities/contact-rules/"), ACTIVITY_READERS, scoped=False, web=True
    ),
    "activities/<record_id:activity_id>/": Row(
        _page("get", "/activities/{activity_id}/"), ACTIVITY_READERS, web=True
    ),
    "activities/<record_id:activity_id>/complete/": Row(
        _page("post", "/activities/{activity_id}/complete/", _activity_version()),
        EDITORS,
        web=True,
    ),
    "activities/<record_id:activity_id>/reschedule/": Row(
        _page(
            "post", "/activities/{activity_id}/reschedule/", _activity_version(due_on="2031-01-02")
        ),
        EDITORS,
        web=True,
    ),
    "activities/<record_id:activity_id>/attachments/": Row(
        _page(
            "post",
            "/activities/{activity_id}/attachments/",
            lambda world, record, role: {"file": _pdf()},
        ),
        EDITORS,
        web=True,
    ),
    "activities/<record_id:activity_id>/attachments/<record_id:attachment_id>/": Row(
        _page("get", "/activities/{activity_id}/attachments/{attachment_id}/"),
        ACTIVITY_READERS,
        web=True,
    ),
    # The service desk's pages: the queue shows each role its own scope.
    "service/": Row(_page("get", "/service/"), CASE_READERS, scoped=False, web=True),
    "service/analysis/": Row(
        _page("get", "/service/analysis/"), CASE_ANALYSTS, scoped=False, web=True
    ),
    "service/cases/new/": Row(
        _page("get", "/service/cases/new/"), CASE_WORKERS, scoped=False, web=True
    ),
    "service/cases/new/customers/": Row(
        _page("get", "/service/cases/new/customers/", lambda w, r, role: {"q": r["name"]}),
        CASE_WORKERS,
        scoped=False,
        web=True,
    ),
    "service/cases/<record_id:case_id>/": Row(
        _page("get", "/service/cases/{case_id}/"), CASE_READERS, see_all=CASE_UNSCOPED, web=True
    ),
    "service/cases/<record_id:case_id>/attachments/": Row(
        _page("post", "/service/cases/{case_id}/attachments/", lambda w, r, role: {"file": _pdf()}),
        CASE_WORKERS,
        see_all=CASE_UNSCOPED,
        web=True,
    ),
    "service/cases/<record_id:case_id>/attachments/<record_id:attachment_id>/": Row(
        _page("get", "/service/cases/{case_id}/attachments/{case_attachment_id}/"),
        CASE_READERS,
        see_all=CASE_UNSCOPED,
        web=True,
    ),
    "service/cases/<record_id:case_id>/move/": Row(
        _page("post", "/service/cases/{case_id}/move/", _case_versioned(state="acknowledged")),
        CASE_WORKERS,
        see_all=CASE_UNSCOPED,
        web=True,
    ),
    "service/cases/<record_id:case_id>/assign/": Row(
        _page("post", "/service/cases/{case_id}/assign/", _case_transfer),
        CASE_ASSIGNERS,
        see_all=CASE_UNSCOPED,
        web=True,
    ),
    "service/satisfaction/": Row(
        _page("get", "/service/satisfaction/"), SURVEY_READERS, scoped=False, web=True
    ),
    # No login: the survey link's token is the key (an open invitation's form).
    "service/survey/<str:token>/": Row(
        _page("get", "/service/survey/{survey_token}/"), scoped=False, web=True
    ),
    "service/care/": Row(_page("get", "/service/care/"), GREETERS, scoped=False, web=True),
    "service/care/greet/": Row(
        _page("post", "/service/care/greet/", _greeting("phone")), GREETERS, web=True
    ),
    "service/care/follow-ups/<record_id:follow_up_id>/outcome/": Row(
        _page("post", "/service/care/follow-ups/{follow_up_id}/outcome/", _outcome_versioned),
        GREETERS,
        web=True,
    ),
    "calendar/": Row(_page("get", "/calendar/"), scoped=False, web=True),
    "calendar/schedule/": Row(_page("get", "/calendar/schedule/"), EDITORS, scoped=False, web=True),
    "calendar/busy/": Row(_page("get", "/calendar/busy/"), scoped=False, web=True),
    "calendar/feed-url/regenerate/": Row(
        _page("post", "/calendar/feed-url/regenerate/"), scoped=False, web=True
    ),
    "calendar/feed-url/revoke/": Row(
        _page("post", "/calendar/feed-url/revoke/"), scoped=False, web=True
    ),
    # No login: the secret URL is the key (each role's own feed).
    "calendar/feed/<str:token>.ics": Row(_fetch_feed, scoped=False, web=True),
    "audit/": Row(_page("get", "/audit/"), AUDIT_READERS, scoped=False, web=True),
    "audit/export.csv": Row(
        _page("get", "/audit/export.csv"), AUDIT_READERS, scoped=False, web=True
    ),
    "analytics/": Row(_page("get", "/analytics/"), ANALYTICS, scoped=False, web=True),
    "analytics/runs/": Row(_page("post", "/analytics/runs/"), RUNNERS, scoped=False, web=True),
    # Figures of the viewer's scope, no record in the URL (what each sees: test_kpi_page).
    "analytics/kpis/": Row(_page("get", "/analytics/kpis/"), ANALYTICS, scoped=False, web=True),
    "sales/": Row(_page("get", "/sales/"), SALES_READERS, scoped=False, web=True),
    "sales/board/": Row(_page("get", "/sales/board/"), SALES_READERS, scoped=False, web=True),
    "sales/forecast/": Row(_page("get", "/sales/forecast/"), SALES_READERS, scoped=False, web=True),
    "sales/new/": Row(_page("get", "/sales/new/"), SELLERS, scoped=False, web=True),
    "sales/<record_id:opportunity_id>/": Row(
        _page("get", "/sales/{opportunity_id}/"), SALES_READERS, web=True
    ),
    "sales/<record_id:opportunity_id>/edit/": Row(
        _page("get", "/sales/{opportunity_id}/edit/"), SELLERS, web=True
    ),
    "sales/<record_id:opportunity_id>/stage/": Row(
        _page("post", "/sales/{opportunity_id}/stage/", _next_stage), SELLERS, web=True
    ),
    "sales/<record_id:opportunity_id>/win/": Row(
        _page("post", "/sales/{opportunity_id}/win/", _opportunity_versioned()), SELLERS, web=True
    ),
    "sales/<record_id:opportunity_id>/lose/": Row(
        _page("post", "/sales/{opportunity_id}/lose/", _opportunity_versioned(loss_reason="price")),
        SELLERS,
        web=True,
    ),
    "sales/<record_id:opportunity_id>/team/": Row(
        _page("get", "/sales/{opportunity_id}/team/"), SELLERS, web=True
    ),
    "leads/": Row(
        _page("get", "/leads/"), LEAD_READERS, scoped=False, web=True, check=_page_lists_lead
    ),
    "leads/new/": Row(_page("get", "/leads/new/"), EDITORS | {"marketer"}, scoped=False, web=True),
    "leads/<record_id:lead_id>/": Row(
        _page("get", "/leads/{lead_id}/"), LEAD_READERS, web=True, see_all=LEAD_UNSCOPED
    ),
    "leads/<record_id:lead_id>/edit/": Row(
        _page("get", "/leads/{lead_id}/edit/"), SELLERS, web=True, see_all=LEAD_UNSCOPED
    ),
    "leads/<record_id:lead_id>/status/": Row(
        _page("post", "/leads/{lead_id}/status/", _lead_versioned(status="contacted")),
        SELLERS,
        web=True,
        see_all=LEAD_UNSCOPED,
    ),  # fmt: skip
    "leads/<record_id:lead_id>/assign/": Row(
        _page("post", "/leads/{lead_id}/assign/", _lead_assignment),
        OWNER_ASSIGNERS,
        web=True,
        see_all=LEAD_UNSCOPED,
    ),  # fmt: skip
    "leads/<record_id:lead_id>/convert/": Row(
        _page("post", "/leads/{lead_id}/convert/", _lead_versioned()),
        SELLERS,
        web=True,
        see_all=LEAD_UNSCOPED,
    ),  # fmt: skip
    "plans/": Row(_page("get", "/plans/"), PLAN_READERS, scoped=False, web=True),
    # A plan for someone out of reach is refused on the page it returns to (a redirect).
    "plans/new/": Row(
        _page(
            "post",
            "/plans/new/",
            lambda w, r, role: {"period": "week", "day": "2031-02-05", "owner": r["owner_id"]},
        ),
        EDITORS,
        scoped=False,
        web=True,
    ),  # fmt: skip
    "plans/<record_id:plan_id>/": Row(_page("get", "/plans/{plan_id}/"), PLAN_READERS, web=True),
    "plans/<record_id:plan_id>/items/": Row(
        _page(
            "post",
            "/plans/{plan_id}/items/",
            lambda w, r, role: _plan_versioned(customer=r["customer_id"], kind="call")(w, r, role),
        ),
        EDITORS,
        web=True,
    ),  # fmt: skip
    "plans/<record_id:plan_id>/items/<record_id:item_id>/remove/": Row(
        _page("post", "/plans/{plan_id}/items/{plan_item_id}/remove/", _plan_versioned()),
        EDITORS,
        web=True,
    ),
    "plans/<record_id:plan_id>/targets/": Row(
        _page("post", "/plans/{plan_id}/targets/", _plan_versioned(note="冲刺")),
        EDITORS,
        web=True,
    ),
    "plans/<record_id:plan_id>/review/": Row(
        _page(
            "post",
            "/plans/{plan_id}/review/",
            lambda w, r, role: _plan_versioned(**{f"change_{r['plan_item_id']}": "none"})(
                w, r, role
            ),
        ),
        EDITORS,
        web=True,
    ),  # fmt: skip
    "staff/": Row(_page("get", "/staff/"), OWNER_ASSIGNERS, scoped=False, web=True),
    "staff/<record_id:user_id>/handover/": Row(
        _page("get", "/staff/{owner_id}/handover/"),
        OWNER_ASSIGNERS,
        web=True,
        see_all=EVERYONE - {"branch_manager", "team_lead"},
    ),
    "staff/<record_id:user_id>/deactivate/": Row(
        _page("post", "/staff/{new_lead_owner_id}/deactivate/"), ADMIN, scoped=False, web=True
    ),
    "login/": Row(_page("get", "/login/"), scoped=False, web=True),
    "logout/": Row(_page("post", "/logout/"), scoped=False, web=True),
    "language/": Row(
        _page("post", "/language/", lambda world, record, role: {"language": "en"}),
        scoped=False,
        web=True,
    ),
    "": Row(_page("get", "/"), scoped=False, web=True),
    "kpis/": Row(
        _page("get", "/kpis/", _kpis_of_owner),
        PROCESS_KPI_READERS,
        scoped=False,
        web=True,
        check=_page_kpis_show_owner,
    ),
}


def _api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, methods in schema["paths"].items()
            for method in methods}  # fmt: skip


def _page_patterns(patterns=None, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(("api/", "^api/")):
            continue  # the API's operations are listed from its schema
        if isinstance(pattern, URLResolver):
            found |= _page_patterns(pattern.url_patterns, route)
        else:
            found.add(route)
    return found


def test_every_api_operation_has_a_row():
    assert _api_operations() == set(API)


def test_every_page_has_a_row():
    assert _page_patterns() == set(PAGES)


@pytest.fixture
def world(staff, org, make_customer, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GUANXI_LEADS = {"web_forms": WEB_FORM}
    admin = policy.Viewer.of(staff["admin"])
    # Who an out-of-scope lead may be given to: a second account manager of the south.
    south_colleague = create_staff("am5", PASSWORD, [Role.ACCOUNT_MANAGER], org["south"])
    product = definitions.product_define(
        viewer=admin, data={"code": "DEP1", "name": "定期存款", "kind": "deposit"}
    )
    deposit = definitions.product_define(
        viewer=admin, data={"code": "TD3", "name": "三年定期", "kind": "deposit"}
    )
    # A failed run: it holds the suggestions without becoming the current run of analytics.
    run = AnalysisRun.objects.create(status="failed", trigger="command")
    places = {
        "in": (org["north"], staff["account_manager"]),
        "out": (org["south"], staff["south_manager"]),
    }
    records, id_numbers = {}, {}
    desk = service_calendars.calendar_create(
        viewer=admin, name="客服中心", periods=DESK_WEEK, context=CONTEXT
    )
    sla_policy = sla_policies.sla_policy_create(
        viewer=admin, case_type="complaint", priority="normal", first_response_minutes=240,
        resolution_minutes=2400, calendar_id=desk.pk, context=CONTEXT,
    )  # fmt: skip
    survey = survey_templates.survey_template_create(
        viewer=admin, name="服务满意度", kind="after_case", csat_question="满意吗？",
        nps_question="推荐吗？", context=CONTEXT,
    )  # fmt: skip
    periodic = survey_templates.survey_template_create(
        viewer=admin, name="季度回访", kind="periodic", nps_question="推荐吗？", context=CONTEXT
    )
    for scope, (branch, owner) in places.items():
        person = make_customer(f"客户{scope}", branch_id=branch.pk, owner_id=owner.pk)
        company = make_customer(
            f"公司{scope}", kind="organisation", id_number="", branch_id=branch.pk,
            owner_id=owner.pk,
        )  # fmt: skip
        contact = contacts.contact_add(
            viewer=admin,
            customer_id=company.pk,
            fields=ContactFields(name="联系人"),
            context=CONTEXT,
        )
        task = activity_services.activity_log(
            viewer=admin,
            fields=ActivityFields(
                kind="task", customer_id=person.pk, subject="准备方案", due_on=date(2030, 1, 1)
            ),
            context=CONTEXT,
        )
        attachment = activity_attachments.attachment_add(
            viewer=admin, activity_id=task.pk, upload=_pdf(), context=CONTEXT
        )
        opportunity = sales.opportunity_create(
            viewer=admin,
            fields=OpportunityFields(name=f"机会{scope}", customer_id=person.pk, owner_id=owner.pk),
            context=CONTEXT,
        )
        suggestion = CrossSellSuggestion.objects.create(
            run=run, customer=person, rank=1, product=product, score=0.9
        )
        lead = leads.lead_create(
            viewer=admin,
            fields=LeadFields(
                name=f"线索{scope}", source="walk_in", branch_id=branch.pk, owner_id=owner.pk,
                phone="13900001111" if scope == "in" else "13900002222",
            ),
            context=CONTEXT,
        )  # fmt: skip
        if scope == "in":  # captured by the marketer, who sees the leads they captured
            Lead.objects.filter(pk=lead.pk).update(created_by=staff["marketer"])
        plan = plans.plan_create(
            viewer=admin, period="week", day=date(2031, 1, 8), owner_id=owner.pk, context=CONTEXT
        )
        plan_item = plans.plan_item_add(
            viewer=admin, plan_id=plan.pk, expected_version=1, customer_id=person.pk,
            kind="visit", context=CONTEXT,
        )  # fmt: skip
        records[scope] = {
            "plan_id": plan.pk,
            "plan_item_id": plan_item.pk,
            "activity_id": task.pk,
            "attachment_id": attachment.pk,
            "opportunity_id": opportunity.pk,
            "suggestion_id": suggestion.pk,
            "lead_id": lead.pk,
            "new_lead_owner_id": (staff["team_lead"] if scope == "in" else south_colleague).pk,
            "customer_id": person.pk,
            "name": person.name,
            "organisation_id": company.pk,
            "contact_id": contact.pk,
            "branch_id": branch.pk,
            "owner_id": owner.pk,
            "calendar_id": desk.pk,
            "sla_policy_id": sla_policy.pk,
        }
        # The in-scope case is the service agent's own; the other waits in a queue of the
        # south they do not work.
        queue = ServiceQueue.objects.create(name=f"队列{scope}", kind="technology")
        case = cases.case_create(
            viewer=admin, customer_id=person.pk, case_type="inquiry", channel="hotline",
            subject=f"咨询{scope}", queue_id=queue.pk, context=CONTEXT, priority="normal",
            owner_id=staff["service_agent"].pk if scope == "in" else None,
        )  # fmt: skip
        transfer = ServiceQueue.objects.create(name=f"转办{scope}", kind="settlement")
        # A follow-up visit of the person (their task), and a large balance change of theirs.
        follow_up = FollowUp.objects.create(
            customer=person, activity=task, reason="new_customer", occasion="new"
        )
        holding = Holding.objects.create(  # not the suggested product: that one is not held
            customer=person, product=deposit, opened_at=date(2024, 1, 1), balance=0
        )
        reminder = care.care_balance_change(
            holding=holding, old_balance=Decimal(0), new_balance=Decimal(10**6)
        )
        case_file = case_attachments.case_attachment_add(
            viewer=admin, case_id=case.pk, upload=_pdf(), context=CONTEXT
        )
        _answered, answered_token = surveys.survey_invite(
            viewer=admin, template_id=survey.pk, customer_id=person.pk, context=CONTEXT
        )
        answer = surveys.survey_response_record(token=answered_token, context=CONTEXT, csat=2,
                                                nps=5)  # fmt: skip
        _open, open_token = surveys.survey_invite(
            viewer=admin, template_id=survey.pk, customer_id=person.pk, context=CONTEXT
        )
        records[scope] |= {
            "follow_up_id": follow_up.pk,
            "care_reminder_id": reminder.pk,
            "holding_id": holding.pk,
            "greeting_day_id": CareHoliday.objects.create(
                day=date(2027, 10, 8 if scope == "in" else 9), name=f"行庆日{scope}"
            ).pk,
            "survey_id": survey.pk,
            "periodic_survey_id": periodic.pk,
            "survey_response_id": answer.pk,
            "survey_token": open_token,
            "case_id": case.pk,
            "case_attachment_id": case_file.pk,
            "queue_id": queue.pk,
            "transfer_queue_id": transfer.pk,
        }
        id_numbers[scope] = person.id_number
    return World(records=records, org=org, staff=staff, id_numbers=id_numbers)


def _group_for(world: World, role: str, scope: str) -> int:
    creator = world.staff[role] if scope == "in" else world.staff["admin"]
    group = CustomerGroup.objects.create(name=f"组{role}{scope}", kind="static", created_by=creator)
    return group.pk


class _RolledBack(Exception):
    """Raised to undo one case's writes."""


def _outcome(response) -> str:
    if response.status_code == 403:
        return "deny"
    if response.status_code == 404:
        return "missing"
    if response.status_code == 422:
        return "invalid"
    if response.status_code < 400:
        return "allow"
    return f"unexpected {response.status_code}: {response.content[:300]!r}"


def _run(row: Row, world: World, role: str, scope: str) -> str:
    result: dict = {}
    try:
        with transaction.atomic():
            record = {**world.records[scope], "group_id": _group_for(world, role, scope)}
            if row.web:
                client = client_for(world.staff[role])
            else:
                _token, raw = ApiToken.issue(world.staff[role])
                client = Client(headers={"Authorization": f"Bearer {raw}"})
            response = row.call(client, world, record, role)
            result["outcome"] = _outcome(response)
            if row.check and result["outcome"] == "allow":
                row.check(response, world, record, role, scope)
            raise _RolledBack
    except _RolledBack:
        pass
    return result["outcome"]


def _cases(rows: dict[str, Row]):
    return [pytest.param(key, id=key or "/") for key in rows]


def _assert_row(row: Row, world: World) -> None:
    got, wanted = {}, {}
    for role in ROLES:
        for scope in SCOPES:
            got[role, scope] = _run(row, world, role, scope)
            wanted[role, scope] = row.expected(role, scope)
    assert got == wanted


@pytest.mark.parametrize("key", _cases(API))
def test_api_operation_answers_each_role_as_the_matrix_says(world, key):
    _assert_row(API[key], world)


@pytest.mark.parametrize("key", _cases(PAGES))
def test_page_answers_each_role_as_the_matrix_says(world, key):
    _assert_row(PAGES[key], world)


def test_the_matrix_reaches_past_authentication(world):
    # A sanity check of the harness: an allowed write really wrote (inside its savepoint),
    # so "allow" above is the handler's answer, not a login page or a 401.
    before = Customer.objects.count()
    row = API["POST /api/v1/customers"]
    result: dict = {}
    with pytest.raises(_RolledBack), transaction.atomic():
        _token, raw = ApiToken.issue(world.staff["admin"])
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        row.call(client, world, world.records["in"], "admin")
        result["during"] = Customer.objects.count()
        raise _RolledBack
    assert result["during"] == before + 1
    assert Customer.objects.count() == before
