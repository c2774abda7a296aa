"""Follow-up visits (回访): scheduled by rule as tasks on the owner's my day, once per
occasion however often the generator runs; their outcomes; coverage and timeliness."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from guanxi import policy
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity
from guanxi.activities.services import activity_log
from guanxi.concurrency import VersionConflict
from guanxi.customers.models import Customer
from guanxi.service import follow_up_selectors, follow_ups
from guanxi.service.care_models import FollowUp
from guanxi.service.case_models import Case
from guanxi.service.tests.conftest import CONTEXT

FU = "/api/v1/follow-ups"


def _generate():
    return follow_ups.follow_ups_generate()


@pytest.fixture
def new_visit(make_customer):
    """A new customer's follow-up visit, scheduled by the generator."""
    customer = make_customer("王新")
    _generate()
    return FollowUp.objects.select_related("activity").get(customer=customer)


def _record(role_user, follow_up, outcome, note="", version=None):
    return follow_ups.follow_up_record(
        viewer=policy.Viewer.of(role_user), follow_up_id=follow_up.pk, outcome=outcome,
        note=note, expected_version=follow_up.version if version is None else version,
        context=CONTEXT,
    )  # fmt: skip


def test_a_new_customer_gets_a_follow_up_call_on_their_account_managers_day(make_customer, staff):
    customer = make_customer("王新")
    _generate()
    visit = FollowUp.objects.select_related("activity").get(customer=customer)
    assert visit.reason == "new_customer"
    assert visit.activity.owner_id == staff["account_manager"].pk
    assert visit.activity.status == "open"
    assert visit.activity.kind == "call"


def test_a_new_customers_visit_is_due_ninety_days_after_they_became_a_customer(make_customer):
    customer = make_customer("王新")
    _generate()
    visit = FollowUp.objects.select_related("activity").get(customer=customer)
    assert visit.activity.due_on == timezone.localdate(customer.created_at) + timedelta(days=90)


def test_running_the_generator_twice_schedules_nothing_new(make_customer):
    make_customer("王新")
    make_customer("李新")
    first = _generate()
    before = Activity.objects.count(), FollowUp.objects.count()
    second = _generate()
    assert first.new_customers == 2
    assert second.new_customers == 0 and second.periodic == 0
    assert (Activity.objects.count(), FollowUp.objects.count()) == before


def test_a_customer_older_than_the_rules_window_gets_no_new_customer_visit(make_customer):
    customer = make_customer("老客户")
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - timedelta(days=120))
    _generate()
    assert not FollowUp.objects.filter(customer=customer).exists()


def test_the_administrators_window_replaces_the_default_ninety_days(make_customer, staff):
    follow_ups.follow_up_rule_set(
        viewer=policy.Viewer.of(staff["admin"]), reason="new_customer", days=30, active=True,
        expected_version=0, context=CONTEXT,
    )  # fmt: skip
    customer = make_customer("王新")
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - timedelta(days=45))
    _generate()
    assert not FollowUp.objects.filter(customer=customer).exists()


def test_an_account_manager_cannot_change_the_follow_up_rules(staff):
    with pytest.raises(PermissionDenied):
        follow_ups.follow_up_rule_set(
            viewer=policy.Viewer.of(staff["account_manager"]), reason="new_customer", days=30,
            active=True, expected_version=0, context=CONTEXT,
        )  # fmt: skip
    assert follow_ups.follow_up_rule("new_customer").days == 90


def test_a_platinum_customer_not_visited_for_a_month_gets_a_periodic_visit(make_customer):
    customer = make_customer("白金客户", value_tier="platinum")
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - timedelta(days=400))
    _generate()
    visit = FollowUp.objects.select_related("activity").get(customer=customer)
    assert visit.reason == "periodic"
    assert visit.activity.kind == "visit"


def test_a_platinum_customer_visited_last_week_gets_no_periodic_visit(make_customer, staff):
    customer = make_customer("白金客户", value_tier="platinum")
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - timedelta(days=400))
    activity_log(
        viewer=policy.Viewer.of(staff["account_manager"]),
        fields=ActivityFields(
            kind="visit", customer_id=customer.pk, subject="上门拜访",
            starts_at=timezone.now() - timedelta(days=7),
        ),
        context=CONTEXT,
    )  # fmt: skip
    _generate()
    assert not FollowUp.objects.filter(customer=customer).exists()


def test_a_periodic_visit_still_open_is_not_scheduled_again_the_next_day(make_customer):
    customer = make_customer("白金客户", value_tier="platinum")
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - timedelta(days=400))
    follow_ups.follow_ups_generate(today=timezone.localdate())
    follow_ups.follow_ups_generate(today=timezone.localdate() + timedelta(days=1))
    assert FollowUp.objects.filter(customer=customer).count() == 1


def test_reached_completes_the_visits_task(new_visit, staff):
    _record(staff["account_manager"], new_visit, "reached", "客户很满意")
    new_visit.activity.refresh_from_db()
    assert new_visit.activity.status == "done"
    assert new_visit.activity.outcome == "客户很满意"


def test_not_reached_counts_an_attempt_and_keeps_the_visit_open(new_visit, staff):
    visit = _record(staff["account_manager"], new_visit, "not_reached")
    assert visit.attempts == 1
    assert visit.activity.status == "open"


def test_an_issue_found_on_a_visit_opens_a_case_for_the_customer(new_visit, staff):
    visit = _record(staff["account_manager"], new_visit, "issue_found", "网银无法登录")
    case = Case.objects.get(pk=visit.case_id)
    assert case.customer_id == new_visit.customer_id
    assert "网银无法登录" in case.description


def test_an_issue_found_without_a_description_is_refused_naming_the_note(new_visit, staff):
    with pytest.raises(ValidationError) as refused:
        _record(staff["account_manager"], new_visit, "issue_found")
    assert "note" in refused.value.message_dict
    assert not Case.objects.exists()


def test_a_stale_version_records_nothing(new_visit, staff):
    with pytest.raises(VersionConflict):
        _record(staff["account_manager"], new_visit, "issue_found", "网银", version=99)
    new_visit.activity.refresh_from_db()
    assert new_visit.activity.status == "open"
    assert not Case.objects.exists()


def test_another_managers_visit_reads_as_not_found(new_visit, staff):
    with pytest.raises(ObjectDoesNotExist):
        _record(staff["other_manager"], new_visit, "reached")
    new_visit.activity.refresh_from_db()
    assert new_visit.activity.status == "open"


def test_coverage_counts_due_done_on_time_and_overdue_per_owner(make_customer, staff):
    for name in ("甲", "乙", "丙"):
        make_customer(name)
    _generate()
    visits = list(FollowUp.objects.select_related("activity").order_by("id"))
    today = timezone.localdate()
    Activity.objects.filter(pk__in=[v.activity_id for v in visits]).update(
        due_on=today - timedelta(days=1)
    )
    _record(staff["account_manager"], FollowUp.objects.get(pk=visits[0].pk), "reached")
    [line] = follow_up_selectors.follow_up_coverage(
        viewer=policy.Viewer.of(staff["team_lead"]), start=today - timedelta(days=7), end=today
    )
    assert line.group_id == staff["account_manager"].pk
    assert (line.due, line.done, line.on_time, line.overdue) == (3, 1, 0, 2)


def test_the_command_says_how_many_visits_it_scheduled(make_customer):
    make_customer("王新")
    out = StringIO()
    call_command("schedule_follow_ups", stdout=out)
    assert "1" in out.getvalue()
    assert FollowUp.objects.count() == 1


def test_the_api_lists_the_managers_open_visits(new_visit, api_as):
    [line] = api_as("account_manager").get(FU).json()
    assert (line["id"], line["reason"], line["status"]) == (new_visit.pk, "new_customer", "open")


def test_the_api_lists_no_visits_of_another_managers_customers(new_visit, api_as):
    assert api_as("other_manager").get(FU).json() == []


def test_the_api_records_an_outcome_with_the_version(new_visit, api_as):
    body = {"outcome": "reached", "note": "满意", "version": new_visit.version}
    response = api_as("account_manager").post(
        f"{FU}/{new_visit.pk}/outcome", body, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "done"


def test_the_api_refuses_an_unknown_outcome_naming_the_field(new_visit, api_as):
    body = {"outcome": "maybe", "version": new_visit.version}
    response = api_as("account_manager").post(
        f"{FU}/{new_visit.pk}/outcome", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "outcome"


def test_the_api_answers_a_stale_version_with_a_409(new_visit, api_as):
    body = {"outcome": "reached", "version": new_visit.version + 1}
    response = api_as("account_manager").post(
        f"{FU}/{new_visit.pk}/outcome", body, content_type="application/json"
    )
    assert response.status_code == 409
    new_visit.activity.refresh_from_db()
    assert new_visit.activity.status == "open"


def test_the_follow_up_endpoints_are_in_the_openapi_schema(api_as):
    paths = api_as("admin").get("/api/v1/openapi.json").json()["paths"]
    assert {FU, FU + "/coverage", FU + "/{follow_up_id}/outcome"} <= set(paths)


def _closed_complaint(make_customer, staff):
    from guanxi.core.events.dispatch import dispatch_pending
    from guanxi.service import case_transitions, cases

    admin = policy.Viewer.of(staff["admin"])
    case = cases.case_create(
        viewer=admin, customer_id=make_customer("王芳").pk, case_type="complaint",
        channel="branch", priority="normal", subject="理财到期未兑付", context=CONTEXT,
    )  # fmt: skip
    case_transitions.case_transition(
        viewer=admin, case_id=case.pk, state="closed", expected_version=case.version,
        context=CONTEXT, on_the_spot=True, note="当场解释",
    )  # fmt: skip
    dispatch_pending()
    return case


def test_a_closed_complaints_follow_up_is_a_follow_up_visit_like_the_others(make_customer, staff):
    case = _closed_complaint(make_customer, staff)
    visit = FollowUp.objects.get(customer_id=case.customer_id)
    case.refresh_from_db()
    assert visit.reason == "complaint"
    assert visit.activity_id == case.follow_up_activity_id


def test_a_complaint_rule_turned_off_schedules_no_follow_up(make_customer, staff):
    follow_ups.follow_up_rule_set(
        viewer=policy.Viewer.of(staff["admin"]), reason="complaint", days=3, active=False,
        expected_version=0, context=CONTEXT,
    )  # fmt: skip
    case = _closed_complaint(make_customer, staff)
    assert not FollowUp.objects.filter(reason="complaint").exists()
    case.refresh_from_db()
    assert case.follow_up_activity_id is None
