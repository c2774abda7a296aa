"""Schemathesis fuzzes every API operation as an administrator and as an account manager.

Whatever it sends, the answer is never a 5xx and always matches the documented response
schema. Each call carries a fresh token, so an operation that revokes its token (``DELETE
/auth/token``) cannot turn every later call into a 401, and the ids in paths are those of
real records half the time, so handlers past validation are reached. The test proves its
reach: every operation must answer the administrator with a success at least once, and
the account manager with something other than 401.

The operations are driven through schemathesis' Python API rather than its pytest plugin,
which does not support pytest 9 yet.
"""

import os
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.db.models import QuerySet
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from guanxi import policy
from guanxi.activities import services as activity_services
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity
from guanxi.audit.services import RequestContext
from guanxi.customers import contacts, definitions, groups
from guanxi.customers.inputs import ContactFields
from guanxi.customers.models import Contact, Customer, Holding
from guanxi.insights.models import AnalysisRun, CrossSellSuggestion
from guanxi.leads import services as leads
from guanxi.leads.inputs import LeadFields
from guanxi.leads.models import Lead
from guanxi.org.models import ApiToken
from guanxi.plans import services as plans
from guanxi.plans.models import Plan
from guanxi.sales import services as sales
from guanxi.sales.inputs import OpportunityFields
from guanxi.sales.models import Opportunity, Stage
from guanxi.scheduling.models import Notification
from guanxi.service import calendars as service_calendars
from guanxi.service import care, case_attachments, sla_policies, survey_templates, surveys
from guanxi.service import cases as service_cases
from guanxi.service.care_models import CareHoliday, FollowUp
from guanxi.service.case_models import RootCause
from guanxi.service.models import Case, ServiceQueue, SlaPolicy, WorkingCalendar
from guanxi.service.survey_models import SurveyTemplate

# Fixed examples keep CI repeatable; GUANXI_FUZZ_EXAMPLES=500 GUANXI_FUZZ_RANDOM=1 explores.
EXAMPLES_PER_OPERATION = int(os.environ.get("GUANXI_FUZZ_EXAMPLES", "40"))
DERANDOMIZE = os.environ.get("GUANXI_FUZZ_RANDOM", "0") != "1"
# GUANXI_FUZZ_ONLY=/api/v1/calendars,/api/v1/sla-policies fuzzes only the operations under
# these paths (a quick run while working on them; CI fuzzes everything).
ONLY = tuple(p for p in os.environ.get("GUANXI_FUZZ_ONLY", "").split(",") if p)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Operations that no generated request can complete: a random password never logs in.
NO_SUCCESS_EXPECTED = {"POST /api/v1/auth/token"}
# Operations that close their record get one of their own for their valid example, so that
# one closing the shared record (or a random stage move winning it) cannot leave the other
# nothing to close.
OWN_RECORD = {
    "POST /api/v1/opportunities/{opportunity_id}/win": "opportunity_to_win",
    "POST /api/v1/opportunities/{opportunity_id}/lose": "opportunity_to_lose",
    "POST /api/v1/leads/{lead_id}/convert": "lead_to_convert",
}
WEB_FORM = {"site": {"token": "fuzz-form-token", "branch": "BJ01"}}
DESK_WEEK = [{"weekday": d, "start": "09:00", "end": "17:30"} for d in range(5)]


@pytest.fixture
def keep_test_connection():
    """Keep the test's transaction open across requests, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records(staff, org, make_customer, settings, tmp_path) -> dict[str, list[int]]:
    """Real records for the ids in paths: customers, a contact, a group and a product."""
    settings.GUANXI_LEADS = {"web_forms": WEB_FORM}
    admin = policy.Viewer.of(staff["admin"])
    context = RequestContext(channel="test")
    person = make_customer("张三")
    make_customer("李四", phone="13900001111")
    company = make_customer("星河贸易有限公司", kind="organisation", id_number="")
    contact = contacts.contact_add(
        viewer=admin, customer_id=company.pk, fields=ContactFields(name="王五"), context=context
    )
    group = groups.group_create(viewer=admin, name="高净值", kind="static", saved_filter={})
    product = definitions.product_define(
        viewer=admin, data={"code": "DEP1", "name": "定期存款", "kind": "deposit"}
    )
    deposit = Holding.objects.create(
        customer=company, product=product, opened_at=date(2024, 1, 1), balance=Decimal(1000)
    )
    tasks = [
        activity_services.activity_log(
            viewer=admin,
            fields=ActivityFields(kind="task", customer_id=person.pk, subject=f"任务{n}"),
            context=context,
        )
        for n in range(2)
    ]

    # Opportunities and the suggestion are of a customer no path names, so no transfer
    # takes it to another branch than its opportunities'.
    assignable = make_customer("赵六", phone="13900002222")

    def opportunity(name: str) -> int:
        fields = OpportunityFields(name=name, customer_id=assignable.pk)
        return sales.opportunity_create(viewer=admin, fields=fields, context=context).pk

    def lead(name: str, phone: str) -> int:
        fields = LeadFields(
            name=name, source="phone", phone=phone, branch_id=org["north"].pk,
            owner_id=staff["account_manager"].pk,
        )  # fmt: skip
        return leads.lead_create(viewer=admin, fields=fields, context=context).pk

    # The account manager's week plan, with one contact to remove and one to review, of a
    # customer of theirs no path names (so no transfer or new owner takes it away).
    plannable = make_customer("钱七", phone="13900003333")
    plan = plans.plan_create(
        viewer=admin, period="week", day=date(2031, 1, 8), owner_id=staff["account_manager"].pk,
        context=context,
    )  # fmt: skip
    plan_items = [
        plans.plan_item_add(
            viewer=admin, plan_id=plan.pk, expected_version=n + 1, customer_id=plannable.pk,
            kind="visit", context=context,
        ).pk
        for n in range(2)
    ]  # fmt: skip
    desk = service_calendars.calendar_create(
        viewer=admin, name="客服中心", periods=DESK_WEEK, context=context
    )
    sla_policy = sla_policies.sla_policy_create(
        viewer=admin, case_type="complaint", priority="normal", first_response_minutes=240,
        resolution_minutes=2400, calendar_id=desk.pk, context=context,
    )  # fmt: skip
    queues = [ServiceQueue.objects.create(name=n, kind=k)
              for n, k in (("客服中心", "service_desk"), ("清算部", "settlement"))]  # fmt: skip
    case = service_cases.case_create(
        viewer=admin, customer_id=person.pk, case_type="inquiry", channel="app",
        priority="normal", subject="转账限额", queue_id=queues[0].pk, context=context,
    )  # fmt: skip
    survey = survey_templates.survey_template_create(
        viewer=admin, name="服务满意度", kind="periodic", csat_question="满意吗？",
        nps_question="推荐吗？", context=context,
    )  # fmt: skip
    _invitation, token = surveys.survey_invite(
        viewer=admin, template_id=survey.pk, customer_id=person.pk, context=context
    )
    answer = surveys.survey_response_record(token=token, context=context, csat=4, nps=9)
    periodic = survey_templates.survey_template_create(
        viewer=admin, name="季度回访", kind="periodic", nps_question="推荐吗？", context=context
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    case_file = case_attachments.case_attachment_add(
        viewer=admin, case_id=case.pk, context=context,
        upload=SimpleUploadedFile("来信.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )  # fmt: skip
    root_cause = RootCause.objects.create(code="SYSTEM", name="系统故障")
    # A follow-up visit of the person's, and two large balance changes of
    # theirs to greet: one by e-mail, one by phone.
    visit = activity_services.activity_log(
        viewer=admin,
        fields=ActivityFields(kind="task", customer_id=person.pk, subject="回访"),
        context=context,
    )  # its own task: the activity operations complete the others
    follow_up = FollowUp.objects.create(
        customer=person, activity_id=visit.pk, reason="new_customer", occasion="new"
    )
    greetings = [
        care.care_balance_change(
            holding=Holding.objects.create(
                customer=person, product=product, opened_at=date(2024, 1, 1)
            ),
            old_balance=Decimal(0),
            new_balance=Decimal(10**6),
        )  # fmt: skip
        for _ in range(2)
    ]
    run = AnalysisRun.objects.create(status="failed", trigger="command")
    suggestion = CrossSellSuggestion.objects.create(
        run=run, customer=assignable, rank=1, product=product, score=0.9
    )
    return {
        "activity_id": [t.pk for t in tasks],
        "value_tier": ["platinum", "gold"],
        "opportunity_id": [opportunity("理财配置")],
        "opportunity_to_win": opportunity("房贷"),
        "opportunity_to_lose": opportunity("信用卡"),
        "suggestion_id": suggestion.pk,
        "lead_id": [lead("周瑜", "13700001111")],
        "lead_to_convert": lead("黄盖", "13700002222"),
        "user_id": [staff["account_manager"].pk],
        "first_stage_id": Stage.objects.get(pipeline__code="acquisition", code="first_visit").pk,
        "customer_id": [person.pk, company.pk],
        "contact_id": [contact.pk],
        "holding_id": [deposit.pk],
        "group_id": [group.pk],
        "product_id": [product.pk],
        "branch_id": org["north"].pk,
        "team_id": org["north_team"].pk,
        "other_branch_id": org["south"].pk,
        # A north customer no path names (so no transfer moves it) and a north manager.
        "assignable_ids": [assignable.pk],
        "owner_id": staff["other_manager"].pk,
        "manager_id": staff["account_manager"].pk,
        "plan_id": [plan.pk],
        "plannable_id": plannable.pk,
        "item_id": plan_items[:1],
        "review_item_id": plan_items[1],
        "notification_id": [
            Notification.objects.create(user=staff["admin"], kind="invited", text="邀请").pk
        ],
        "calendar_id": [desk.pk],
        "policy_id": [sla_policy.pk],
        "year": [2027],
        "case_id": [case.pk],
        "attachment_id": [case_file.pk],
        "follow_up_id": [follow_up.pk],
        "reason": ["new_customer"],
        "greetings": [(g.customer_id, g.occasion, g.version) for g in greetings if g is not None],
        "root_cause_id": root_cause.pk,
        "kind": ["birthday", "holiday"],
        "language": ["zh-hans", "en"],
        "day_id": [CareHoliday.objects.create(day=date(2027, 10, 8), name="行庆日").pk],
        "queue_id": queues[1].pk,
        "survey_id": [survey.pk],
        "response_id": [answer.pk],
        "periodic_survey_id": periodic.pk,
    }


def _valid_bodies(records: dict) -> dict[str, dict]:
    """A body each operation accepts, so fuzzing around it reaches past validation."""
    return {
        "POST /api/v1/customers": {"name": "王二", "branch_id": records["branch_id"]},
        "PATCH /api/v1/customers/{customer_id}": {"occupation": "教师"},
        "POST /api/v1/customers/{customer_id}/lifecycle": {"status": "lost", "reason": "已销户"},
        "PUT /api/v1/customers/{customer_id}/tags": {"tags": ["高净值"]},
        "POST /api/v1/customers/{customer_id}/transfer": {
            "branch_id": records["other_branch_id"],
            "reason": "客户迁居上海",
        },
        "POST /api/v1/customers/{customer_id}/reveal": {
            "field": "phone",
            "reason": "客户来电核实身份",
        },
        "POST /api/v1/customers/{customer_id}/contacts": {"name": "王五"},
        "PATCH /api/v1/customers/{customer_id}/contacts/{contact_id}": {"title": "总经理"},
        "POST /api/v1/customers/{customer_id}/holdings": {
            "product_code": "DEP1",
            "opened_at": "2025-01-02",
        },
        "PATCH /api/v1/customers/{customer_id}/holdings/{holding_id}": {"balance": "50000.00"},
        "POST /api/v1/customers/{customer_id}/transactions": {
            "amount": "88.00",
            "channel": "branch",
            "occurred_at": "2025-03-01T10:00:00+08:00",
        },
        "POST /api/v1/customers/groups": {"name": "新客户", "kind": "static"},
        "POST /api/v1/customers/groups/{group_id}/members": {"add": records["customer_id"]},
        "POST /api/v1/customers/assign-owner": {
            "owner_id": records["owner_id"],
            "customer_ids": records["assignable_ids"],
        },
        "POST /api/v1/customers/custom-fields": {
            "key": "risk",
            "label": "风险等级",
            "field_type": "text",
        },
        "POST /api/v1/customers/products": {"code": "WM2", "name": "理财二号", "kind": "wealth"},
        "POST /api/v1/activities": {
            "kind": "call",
            "customer_id": records["customer_id"][0],
            "subject": "电话回访",
        },
        "PATCH /api/v1/activities/{activity_id}": {"outcome": "已联系"},
        "POST /api/v1/activities/{activity_id}/reschedule": {"due_on": "2030-01-02"},
        "POST /api/v1/activities/{activity_id}/complete": {"outcome": "完成"},
        "PUT /api/v1/activities/contact-rules/{value_tier}": {"every_days": 14, "kind": "visit"},
        "POST /api/v1/calendar/meetings": {
            "customer_id": records["customer_id"][0],
            "subject": "面谈",
            "starts_at": "2031-01-07T10:00:00+08:00",
            "participant_ids": [records["manager_id"]],
        },
        "POST /api/v1/opportunities": {
            "name": "房贷",
            "customer_id": records["assignable_ids"][0],
        },
        "POST /api/v1/opportunities/from-suggestion": {"suggestion_id": records["suggestion_id"]},
        "PATCH /api/v1/opportunities/{opportunity_id}": {"next_step": "递交方案"},
        "POST /api/v1/opportunities/{opportunity_id}/stage": {
            "stage_id": records["first_stage_id"]
        },
        "POST /api/v1/opportunities/{opportunity_id}/win": {},
        "POST /api/v1/opportunities/{opportunity_id}/lose": {"loss_reason": "price"},
        "PUT /api/v1/opportunities/{opportunity_id}/team": {
            "members": [{"user_id": records["manager_id"], "share": "100"}]
        },
        "POST /api/v1/leads": {
            "name": "新线索",
            "source": "phone",
            "branch_id": records["branch_id"],
        },
        "POST /api/v1/leads/web-form": {
            "form": "site",
            "token": WEB_FORM["site"]["token"],
            "name": "网上客户",
            "phone": "13911112222",
        },
        "PUT /api/v1/leads/score-rules": {"points": {"phone": 12}},
        "PATCH /api/v1/leads/{lead_id}": {"company": "星河贸易"},
        "POST /api/v1/leads/{lead_id}/status": {"status": "contacted"},
        "POST /api/v1/leads/{lead_id}/assign": {"owner_id": records["owner_id"]},
        "POST /api/v1/leads/{lead_id}/convert": {},
        "PUT /api/v1/leads/assignment-rules": {
            "rules": [{"branch_id": records["branch_id"], "team_id": records["team_id"]}]
        },
        "PUT /api/v1/leads/assignees/{user_id}": {"absent_until": "2031-01-01"},
        "POST /api/v1/plans": {
            "period": "week",
            "day": "2031-02-05",
            "owner_id": records["manager_id"],
        },
        "PATCH /api/v1/plans/{plan_id}": {"note": "冲刺", "targets": {"visits": 3}},
        "POST /api/v1/plans/{plan_id}/items": {
            "customer_id": records["plannable_id"],
            "kind": "call",
        },
        "POST /api/v1/plans/{plan_id}/review": {
            "lines": [{"item_id": records["review_item_id"], "change": "none"}]
        },
        "POST /api/v1/calendars": {"name": "营业部", "periods": DESK_WEEK},
        "PATCH /api/v1/calendars/{calendar_id}": {"name": "客服中心二"},
        "PUT /api/v1/calendars/official-schedules/{year}": {
            "holidays": [{"day": "2027-01-01", "name": "元旦"}],
            "version": 0,
        },
        "POST /api/v1/sla-policies": {
            "case_type": "inquiry",
            "priority": "high",
            "first_response_minutes": 60,
            "resolution_minutes": 480,
            "calendar_id": records["calendar_id"][0],
        },
        "PATCH /api/v1/sla-policies/{policy_id}": {"resolution_minutes": 4800},
        "POST /api/v1/cases": {
            "customer_id": records["customer_id"][0],
            "case_type": "inquiry",
            "channel": "hotline",
            "subject": "咨询理财到期",
        },
        "PATCH /api/v1/cases/{case_id}": {"subject": "转账限额调整"},
        "POST /api/v1/cases/{case_id}/transition": {"state": "acknowledged"},
        "POST /api/v1/cases/{case_id}/assign": {"queue_id": records["queue_id"]},
        "POST /api/v1/case-categories": {"code": "FEES", "name": "收费"},
        "POST /api/v1/root-causes": {"code": "STAFF", "name": "服务态度"},
        "POST /api/v1/follow-ups/{follow_up_id}/outcome": {"outcome": "reached"},
        "PUT /api/v1/follow-ups/rules/{reason}": {"days": 60, "version": 0},
        "POST /api/v1/care-reminders/send": {
            "customer_id": records["greetings"][0][0],
            "occasion": records["greetings"][0][1],
            "version": records["greetings"][0][2],
        },
        "POST /api/v1/care-reminders/phoned": {
            "customer_id": records["greetings"][1][0],
            "occasion": records["greetings"][1][1],
            "version": records["greetings"][1][2],
        },
        "PUT /api/v1/care-reminders/greetings/{kind}/{language}": {
            "subject": "{name}，节日快乐",
            "body": "祝您节日快乐！",
            "version": 0,
        },
        "POST /api/v1/care-reminders/greeting-days": {"day": "2028-10-26", "name": "重阳节"},
        "POST /api/v1/corrective-actions": {
            "root_cause_id": records["root_cause_id"],
            "taken_on": "2026-01-05",
            "description": "升级转账系统",
        },
        "PATCH /api/v1/surveys/{survey_id}": {"name": "年度回访", "every_days": 365},
        "POST /api/v1/survey-invitations/periodic": {
            "template_id": records["periodic_survey_id"],
            "customer_ids": [records["customer_id"][0]],
        },
        "POST /api/v1/survey-invitations": {
            "template_id": records["survey_id"][0],
            "customer_id": records["customer_id"][0],
        },
        # The account manager's portfolio goes to their north colleague; then they may go.
        "POST /api/v1/staff/{user_id}/handover": {
            "to_user_id": records["owner_id"],
            "reason": "调岗",
        },
    }


# Query parameters each operation with required ones accepts, so fuzzing reaches past them.
WEEK = {"start": "2031-01-06T00:00:00+08:00", "end": "2031-01-13T00:00:00+08:00"}


def _valid_queries(records: dict) -> dict[str, dict]:
    return {
        "GET /api/v1/calendar": WEEK,
        "GET /api/v1/calendar/busy": {**WEEK, "user_ids": str(records["manager_id"])},
        "GET /api/v1/plans/completion": {"first": "2031-01-01", "last": "2031-01-31"},
        "GET /api/v1/kpis/process": {"period_start": "2026-04-01", "period_end": "2026-06-30"},
    }


def _path_values(operation, records: dict) -> st.SearchStrategy:
    names = [p.name for p in operation.path_parameters]
    if any(n not in records for n in names):
        return st.nothing()
    return st.fixed_dictionaries({n: st.sampled_from(records[n]) for n in names})


def _current_version(case) -> str | None:
    """The version of the record a case's path names, as an update must send it."""
    path = case.path_parameters or {}
    found: QuerySet
    if "plan_id" in path:
        found = Plan.objects.filter(pk=path["plan_id"])
    elif "activity_id" in path:
        found = Activity.objects.filter(pk=path["activity_id"])
    elif "lead_id" in path:
        found = Lead.objects.filter(pk=path["lead_id"])
    elif "opportunity_id" in path:
        found = Opportunity.objects.filter(pk=path["opportunity_id"])
    elif "holding_id" in path:
        found = Holding.objects.filter(pk=path["holding_id"], customer_id=path["customer_id"])
    elif "contact_id" in path:
        found = Contact.objects.filter(pk=path["contact_id"], customer_id=path["customer_id"])
    elif "customer_id" in path:
        found = Customer.objects.filter(pk=path["customer_id"])
    elif "case_id" in path:
        found = Case.objects.filter(pk=path["case_id"])
    elif "calendar_id" in path:
        found = WorkingCalendar.objects.filter(pk=path["calendar_id"])
    elif "policy_id" in path:
        found = SlaPolicy.objects.filter(pk=path["policy_id"])
    elif "survey_id" in path:
        found = SurveyTemplate.objects.filter(pk=path["survey_id"])
    elif "follow_up_id" in path:
        found = FollowUp.objects.filter(pk=path["follow_up_id"])
    else:
        return None
    version = found.values_list("version", flat=True).first()
    return None if version is None else str(version)


def _exercise(operation, user, records, statuses: dict, failures: list[str]) -> None:
    real_paths = _path_values(operation, records)
    body = _valid_bodies(records).get(operation.label)
    query = _valid_queries(records).get(operation.label)
    strategies = [
        operation.as_strategy(),
        real_paths.flatmap(lambda path: operation.as_strategy(path_parameters=path or None)),
    ]
    if query is not None:
        strategies.append(operation.as_strategy(query=query))
    if body is not None:
        strategies.append(
            real_paths.flatmap(
                lambda path: operation.as_strategy(path_parameters=path or None, body=body)
            )
        )

    @given(case=st.one_of(strategies), current_version=st.booleans())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case, current_version: bool) -> None:
        headers = {"Authorization": f"Bearer {ApiToken.issue(user)[1]}"}
        version = _current_version(case) if current_version else None
        if version is not None:
            headers["If-Match"] = version
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # the WSGI transport lets an unhandled error through
            failures.append(f"{operation.label}: {exc!r}")
            return
        statuses[operation.label].add(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            titles = ", ".join(sorted({f.title for f in group.exceptions}))
            failures.append(f"{operation.label}: {response.status_code} {titles}")

    if body is not None:
        # Tried first, every run: the valid body itself, on the organisation (which has the
        # contact person).
        names = [p.name for p in operation.path_parameters]
        path = {n: records[n][-1] for n in names} or None
        if operation.label in OWN_RECORD:
            path = {names[0]: records[OWN_RECORD[operation.label]]}
        valid = operation.Case(path_parameters=path, body=body, media_type="application/json")
        exercise = example(case=valid, current_version=True)(exercise)
    if query is not None:
        exercise = example(case=operation.Case(query=query), current_version=False)(exercise)
    exercise()


def _fuzz(user, records) -> tuple[dict[str, set[int]], list[str]]:
    # The schema needs a login since the API docs do (a token of the fuzzed user).
    headers = {"Authorization": f"Bearer {ApiToken.issue(user)[1]}"}
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    if ONLY:
        operations = [o for o in operations if o.full_path.startswith(ONLY)]
        assert operations, f"no operation under {ONLY}"
    statuses: dict[str, set[int]] = defaultdict(set)
    failures: list[str] = []
    for operation in operations:
        _exercise(operation, user, records, statuses, failures)
    return statuses, failures


def test_no_request_of_an_administrator_fails_and_every_operation_succeeds_once(
    staff, records, keep_test_connection
):
    statuses, failures = _fuzz(staff["admin"], records)
    assert sorted(set(failures)) == []
    never_succeeded = sorted(
        label
        for label, seen in statuses.items()
        if label not in NO_SUCCESS_EXPECTED and not any(200 <= s < 300 for s in seen)
    )
    assert not never_succeeded, {label: statuses[label] for label in never_succeeded}


def test_no_request_of_an_account_manager_fails_and_every_operation_gets_past_login(
    staff, records, keep_test_connection
):
    statuses, failures = _fuzz(staff["account_manager"], records)
    assert sorted(set(failures)) == []
    stopped_at_login = sorted(label for label, seen in statuses.items() if seen <= {401})
    assert not stopped_at_login, stopped_at_login
