"""Demo activities: generated in bulk for customers with an account manager."""

import pytest

from guanxi.activities.demo import generate_activities, hand_over_activities
from guanxi.activities.models import Activity


def test_demo_activities_are_generated_for_the_customers_account_managers(make_customer, staff):
    customers = [make_customer(f"客户{n}") for n in range(5)]
    assert generate_activities(300) == 300
    assert Activity.objects.count() == 300
    assert set(Activity.objects.values_list("owner_id", flat=True)) == {staff["account_manager"].pk}
    assert set(Activity.objects.values_list("customer_id", flat=True)) <= {c.pk for c in customers}
    statuses = set(Activity.objects.values_list("status", flat=True))
    assert statuses == {"open", "done"}


def test_the_demo_account_manager_takes_over_the_activities_of_their_customers(
    make_customer, staff
):
    customer = make_customer("客户")
    generate_activities(20)
    customer.owner = staff["team_lead"]
    customer.save(update_fields=["owner"])
    assert hand_over_activities(staff["team_lead"]) == 20


@pytest.mark.django_db(transaction=True)  # the loader sets SQLite pragmas outside transactions
def test_demo_data_generates_the_activities_asked_for():
    from django.core.management import call_command

    call_command("demo_data", customers=40, months=3, activities=25, verbosity=0)
    assert Activity.objects.count() == 25
