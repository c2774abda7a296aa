"""An analysis run publishes its tier moves per customer, in one statement, and one run event."""

import pyarrow as pa
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from guanxi.core.events import publish_selected
from guanxi.core.events.models import EventRecord
from guanxi.customers.events import CustomerValueTierChanged
from guanxi.customers.models import Customer
from guanxi.insights.models import CustomerScore
from guanxi.insights.services import _apply_value_tiers, run_analysis


def test_tier_moves_are_one_event_per_moved_customer_in_one_insert(make_customer, fabricated_run):
    moved, kept = make_customer("甲"), make_customer("乙")
    Customer.objects.filter(pk=kept.pk).update(value_tier="gold")
    run = fabricated_run([moved, kept])  # every score says gold
    # Both are candidates: the statements themselves skip the one whose stored tier is gold.
    candidates = pa.table({"customer_id": [moved.pk, kept.pk]})
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert _apply_value_tiers(run, candidates) == 1
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "core_eventrecord"')]
    assert len(inserts) == 1
    event = EventRecord.objects.get(name="customer.value_tier_changed")
    assert (event.record_type, event.record_id, event.actor_id) == (
        "customers.customer",
        moved.pk,
        None,
    )
    expected = CustomerValueTierChanged(from_tier=moved.value_tier, to_tier="gold", run_id=run.pk)
    assert CustomerValueTierChanged.model_validate(event.payload) == expected


def test_no_tier_candidate_means_no_statement_at_all(make_customer, fabricated_run):
    run = fabricated_run([make_customer("甲")])
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert _apply_value_tiers(run, pa.table({"customer_id": pa.array([], pa.int64())})) == 0
    assert [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]] == []
    assert not EventRecord.objects.filter(name="customer.value_tier_changed").exists()


def test_bulk_publishing_refuses_columns_that_are_not_the_payload(fabricated_run, make_customer):
    run = fabricated_run([make_customer()])
    rows = CustomerScore.objects.filter(run=run).values("customer_id", "value_tier")
    before = EventRecord.objects.count()
    with pytest.raises(ValueError, match="record_id"), transaction.atomic():
        publish_selected(CustomerValueTierChanged, actor=None, record_model=Customer, rows=rows)
    assert EventRecord.objects.count() == before


def test_a_run_publishes_its_tier_moves_and_that_it_finished(demo_store):
    run = run_analysis()
    assert run.status == "finished"
    moves = EventRecord.objects.filter(name="customer.value_tier_changed")
    assert moves.count() == run.counts["tier_changes"] > 0
    assert set(moves.values_list("payload__run_id", flat=True)) == {run.pk}
    finished = EventRecord.objects.get(name="analysis_run.finished")
    assert (finished.record_type, finished.record_id) == ("insights.analysisrun", run.pk)
    assert finished.payload == {
        "customers": run.counts["customers"],
        "churn_warnings": run.counts["churn_warnings"],
        "tier_changes": run.counts["tier_changes"],
    }
