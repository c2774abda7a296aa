"""The plan services: make, change, plan contacts, review; and completion as activities
are logged."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.audit.models import AuditEntry
from guanxi.concurrency import DuplicateValue, VersionConflict
from guanxi.core.events.models import EventRecord
from guanxi.plans import completion, selectors, services
from guanxi.plans.models import ItemReview, Plan, PlanItem
from guanxi.plans.tests.conftest import CONTEXT, DAY


def test_a_week_plan_runs_from_monday_to_sunday(week_plan):
    assert (week_plan.starts_on, week_plan.ends_on) == (dt.date(2031, 1, 6), dt.date(2031, 1, 12))


def test_a_month_plan_runs_over_the_calendar_month(viewer):
    plan = services.plan_create(viewer=viewer(), period="month", day=DAY, context=CONTEXT)
    assert (plan.starts_on, plan.ends_on) == (dt.date(2031, 1, 1), dt.date(2031, 1, 31))


def test_making_a_plan_is_audited_and_published(week_plan):
    assert AuditEntry.objects.filter(object_type="plan", object_id=str(week_plan.pk)).exists()
    assert EventRecord.objects.filter(name="plan.created", record_id=week_plan.pk).exists()


def test_a_second_plan_for_the_same_week_names_the_first(viewer, week_plan):
    with pytest.raises(DuplicateValue) as refused:
        services.plan_create(viewer=viewer(), period="week", day=DAY, context=CONTEXT)
    assert refused.value.existing_id == week_plan.pk
    assert Plan.objects.count() == 1


def test_an_account_manager_cannot_plan_for_a_colleague(viewer, staff):
    with pytest.raises(ValidationError) as refused:
        services.plan_create(
            viewer=viewer(), period="week", day=DAY, owner_id=staff["other_manager"].pk,
            context=CONTEXT,
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"owner_id"}
    assert not Plan.objects.exists()


def test_a_team_lead_plans_for_a_team_member(viewer, staff):
    plan = services.plan_create(
        viewer=viewer("team_lead"), period="week", day=DAY,
        owner_id=staff["account_manager"].pk, context=CONTEXT,
    )  # fmt: skip
    assert (
        plan.owner_id == staff["account_manager"].pk and plan.created_by_id == staff["team_lead"].pk
    )


def test_a_branch_manager_cannot_own_a_plan(viewer):
    with pytest.raises(ValidationError) as refused:
        services.plan_create(viewer=viewer("branch_manager"), period="week", day=DAY,
                             context=CONTEXT)  # fmt: skip
    assert set(refused.value.message_dict) == {"owner_id"}


def test_an_auditor_may_not_make_plans(viewer, staff):
    with pytest.raises(PermissionDenied):
        services.plan_create(
            viewer=viewer("auditor"), period="week", day=DAY,
            owner_id=staff["account_manager"].pk, context=CONTEXT,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("targets", "field"),
    [
        ({"smiles": 3}, "targets.smiles"),
        ({"contacts": Decimal("2.5")}, "targets.contacts"),
        ({"won_amount": Decimal("-1")}, "targets.won_amount"),
        ({"won_amount": Decimal("0.001")}, "targets.won_amount"),
    ],
)
def test_bad_targets_are_refused_by_name(viewer, targets, field):
    with pytest.raises(ValidationError) as refused:
        services.plan_create(
            viewer=viewer(), period="week", day=DAY, targets=targets, context=CONTEXT
        )
    assert set(refused.value.message_dict) == {field}
    assert not Plan.objects.exists()


def test_a_contact_is_planned_with_a_customer_of_the_portfolio(week_plan, mine, add_item):
    item = add_item(week_plan, mine, purpose="介绍理财")
    week_plan.refresh_from_db()
    assert item.plan_id == week_plan.pk and week_plan.version == 2


def test_a_customer_outside_the_owners_portfolio_is_refused_naming_it(
    week_plan, colleagues, add_item
):
    with pytest.raises(ValidationError) as refused:
        add_item(week_plan, colleagues)
    assert set(refused.value.message_dict) == {"customer_id"}
    assert not PlanItem.objects.exists()


def test_a_team_lead_cannot_plan_a_team_members_week_with_another_teams_customer(
    week_plan, colleagues, add_item
):
    with pytest.raises(ValidationError) as refused:
        add_item(week_plan, colleagues, role="team_lead")
    assert set(refused.value.message_dict) == {"customer_id"}


def test_a_day_outside_the_plans_week_is_refused(week_plan, mine, add_item):
    with pytest.raises(ValidationError) as refused:
        add_item(week_plan, mine, planned_on=dt.date(2031, 1, 13))
    assert set(refused.value.message_dict) == {"planned_on"}


def test_a_stale_version_adds_nothing(viewer, week_plan, mine):
    with pytest.raises(VersionConflict):
        services.plan_item_add(
            viewer=viewer(), plan_id=week_plan.pk, expected_version=week_plan.version + 1,
            customer_id=mine.pk, kind="call", context=CONTEXT,
        )  # fmt: skip
    assert not PlanItem.objects.exists()


def test_a_planned_contact_is_removed(viewer, week_plan, mine, add_item):
    item = add_item(week_plan, mine)
    week_plan.refresh_from_db()
    services.plan_item_remove(
        viewer=viewer(), plan_id=week_plan.pk, item_id=item.pk,
        expected_version=week_plan.version, context=CONTEXT,
    )  # fmt: skip
    assert not PlanItem.objects.exists()


def test_targets_are_replaced_and_the_change_audited(viewer, week_plan):
    services.plan_update(
        viewer=viewer(), plan_id=week_plan.pk, expected_version=1,
        targets={"visits": 3, "won_amount": Decimal("50000")}, context=CONTEXT,
    )  # fmt: skip
    assert {t.metric: t.target for t in week_plan.targets.all()} == {
        "visits": Decimal(3), "won_amount": Decimal(50000),
    }  # fmt: skip
    entry = AuditEntry.objects.filter(object_type="plan", action="update").get()
    assert entry.changes["targets"][0] == {"contacts": "5.00"}


def test_a_planned_visit_is_done_when_a_visit_is_logged_in_the_week(week_plan, mine, add_item, log):
    add_item(week_plan, mine)
    visit = log(mine, "visit", at=dt.datetime(2031, 1, 10, 9, tzinfo=dt.UTC))
    [item] = selectors.plan_items(plan=week_plan)
    assert item.done_activity_id == visit.pk


@pytest.mark.parametrize(
    ("kind", "at", "status"),
    [
        ("call", dt.datetime(2031, 1, 9, 9, tzinfo=dt.UTC), "done"),
        ("visit", dt.datetime(2031, 1, 14, 9, tzinfo=dt.UTC), "done"),
        ("visit", dt.datetime(2031, 1, 9, 9, tzinfo=dt.UTC), "open"),
    ],
    ids=["another kind", "after the week", "not done"],
)
def test_a_planned_visit_is_not_done_by(week_plan, mine, add_item, log, kind, at, status):
    add_item(week_plan, mine)
    log(mine, kind, at=at, status=status)
    [item] = selectors.plan_items(plan=week_plan)
    assert item.done_activity_id is None


def test_completion_counts_done_contacts_and_actual_targets(viewer, week_plan, mine, add_item, log):
    add_item(week_plan, mine, kind="visit")
    add_item(week_plan, mine, kind="call")
    log(mine, "visit")
    shown = selectors.plan_view_for_user(viewer=viewer(), plan_id=week_plan.pk)
    assert (shown.completion.planned, shown.completion.done, shown.completion.percent) == (
        2, 1, 50,
    )  # fmt: skip
    [contacts] = shown.completion.targets
    assert (contacts["target"], contacts["actual"], contacts["percent"]) == (
        Decimal(5), Decimal(1), 20,
    )  # fmt: skip


def test_the_weekly_review_records_each_customers_change(viewer, week_plan, mine, add_item):
    item = add_item(week_plan, mine)
    week_plan.refresh_from_db()
    services.plan_review(
        viewer=viewer("team_lead"), plan_id=week_plan.pk, expected_version=week_plan.version,
        lines=[services.ReviewLine(item_id=item.pk, change="lifecycle", note="成为新客户")],
        context=CONTEXT,
    )  # fmt: skip
    review = ItemReview.objects.get()
    week_plan.refresh_from_db()
    assert review.change == "lifecycle" and review.reviewed_by == viewer("team_lead").user
    assert week_plan.reviewed_by_id == viewer("team_lead").user_id
    assert EventRecord.objects.get(name="plan.reviewed").payload == {
        "moved_customer_ids": [mine.pk]
    }


def test_a_review_naming_another_plans_contact_changes_nothing(viewer, week_plan, mine, add_item):
    add_item(week_plan, mine)
    week_plan.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.plan_review(
            viewer=viewer(), plan_id=week_plan.pk, expected_version=week_plan.version,
            lines=[services.ReviewLine(item_id=999999, change="none")], context=CONTEXT,
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"lines.0.item_id"}
    assert not ItemReview.objects.exists()


def test_a_month_plan_is_not_reviewed_by_the_week(viewer, mine, add_item):
    plan = services.plan_create(viewer=viewer(), period="month", day=DAY, context=CONTEXT)
    item = add_item(plan, mine)
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.plan_review(
            viewer=viewer(), plan_id=plan.pk, expected_version=plan.version,
            lines=[services.ReviewLine(item_id=item.pk, change="none")], context=CONTEXT,
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"period"}


def test_another_branchs_plan_reads_as_missing(viewer, staff):
    south = services.plan_create(
        viewer=viewer("admin"), period="week", day=DAY, owner_id=staff["south_manager"].pk,
        context=CONTEXT,
    )  # fmt: skip
    with pytest.raises(Plan.DoesNotExist):
        selectors.plan_get_for_user(viewer=viewer("branch_manager"), plan_id=south.pk)


def test_the_agenda_holds_the_days_planned_contacts_and_activities(
    viewer, week_plan, mine, add_item, log
):
    add_item(week_plan, mine, planned_on=dt.date(2031, 1, 9))
    add_item(week_plan, mine, kind="call", planned_on=dt.date(2031, 1, 10))
    visit = log(mine, "visit", at=dt.datetime(2031, 1, 9, 3, tzinfo=dt.UTC))
    agenda = selectors.agenda_for(
        viewer=viewer(), owner_id=viewer().user_id, day=dt.date(2031, 1, 9)
    )
    assert [i.kind for i in agenda["planned"]] == ["visit"]
    assert agenda["planned"][0].done_activity_id == visit.pk
    assert [a.pk for a in agenda["activities"]] == [visit.pk]


def test_completion_per_tier_counts_planned_done_and_unplanned_contacts(
    viewer, week_plan, mine, make_customer, add_item, log
):
    gold = make_customer("金客户")
    gold.value_tier = "gold"
    gold.save(update_fields=["value_tier"])
    add_item(week_plan, gold)
    add_item(week_plan, mine, kind="call")
    log(gold, "visit")
    log(mine, "meeting")
    rows = {
        r["tier"]: r
        for r in completion.plan_completion_for(
            viewer=viewer("team_lead"),
            first=dt.date(2031, 1, 6),
            last=dt.date(2031, 1, 12),
            team_id=viewer().team_id,
        )  # fmt: skip
    }
    assert (rows["gold"]["planned"], rows["gold"]["done"], rows["gold"]["actual"]) == (1, 1, 1)
    standard = rows["standard"]
    assert (standard["planned"], standard["done"], standard["actual"]) == (1, 0, 1)


def test_completion_per_tier_sees_nothing_of_another_branch(viewer, week_plan, mine, add_item, log):
    add_item(week_plan, mine)
    log(mine, "visit")
    rows = completion.plan_completion_for(
        viewer=viewer("south_manager"), first=dt.date(2031, 1, 6), last=dt.date(2031, 1, 12)
    )
    assert all(r["planned"] == r["actual"] == 0 for r in rows)
