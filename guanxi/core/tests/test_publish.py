"""Publishing: an event exists exactly when the change it describes was committed."""

import pytest
from django.db import transaction
from django.db.models import F
from pydantic import ValidationError

from guanxi.core.events import (
    NotInTransactionError,
    UnknownEventError,
    publish,
    publish_selected,
    subscribe,
)
from guanxi.core.events.dispatch import dispatch_pending
from guanxi.core.events.models import EventRecord
from guanxi.core.events.subscriptions import HANDLERS
from guanxi.core.events.types import EVENT_TYPES, DomainEvent
from guanxi.core.tests.conftest import Noted, Pinged, traces
from guanxi.customers.models import Tag

pytestmark = pytest.mark.usefixtures("quick_retries")


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_has_its_event_with_record_actor_payload_and_time(staff):
    with transaction.atomic():
        tag = Tag.objects.create(name="vip")
        publish(Pinged(n=7), actor=staff["admin"], record=tag)
    event = EventRecord.objects.get()
    assert (event.name, event.record_type, event.record_id) == (
        "test.pinged",
        "customers.tag",
        tag.pk,
    )
    assert event.actor_id == staff["admin"].pk
    assert event.payload == {"n": 7}
    assert event.occurred_at is not None and event.dispatched_at is None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_event_and_no_handler_runs(handlers):
    handlers("counter")
    with pytest.raises(RuntimeError), transaction.atomic():
        tag = Tag.objects.create(name="vip")
        publish(Pinged(n=1), actor=None, record=tag)
        assert EventRecord.objects.count() == 1  # written inside the transaction ...
        raise RuntimeError("the change fails")
    assert not Tag.objects.exists() and not EventRecord.objects.exists()  # ... and gone with it
    dispatch_pending()
    assert traces("counter") == []


@pytest.mark.django_db(transaction=True)
def test_publishing_outside_a_transaction_is_refused():
    tag = Tag.objects.create(name="vip")
    with pytest.raises(NotInTransactionError):
        publish(Pinged(n=1), actor=None, record=tag)
    assert not EventRecord.objects.exists()


def test_an_invalid_payload_is_refused_on_publish(thing):
    with pytest.raises(ValidationError), transaction.atomic():
        publish(Pinged.model_construct(n="many"), actor=None, record=thing)
    assert not EventRecord.objects.exists()


def test_an_event_of_no_declared_type_is_refused_on_publish(thing, monkeypatch):
    monkeypatch.setattr(EVENT_TYPES, "_items", {})
    with pytest.raises(UnknownEventError), transaction.atomic():
        publish(Pinged(n=1), actor=None, record=thing)
    assert not EventRecord.objects.exists()


def test_a_second_event_type_cannot_take_a_declared_name():
    with pytest.raises(ValueError, match="registered already"):

        class Impostor(DomainEvent):
            event_name = "test.pinged"

    assert EVENT_TYPES.get("test.pinged") is Pinged


def test_an_event_type_needs_a_dotted_name():
    with pytest.raises(TypeError, match="event_name"):

        class Nameless(DomainEvent):
            pass


def test_subscribing_to_an_undeclared_event_is_refused():
    with pytest.raises(UnknownEventError):
        subscribe("test.never_declared", handler="test.lost")(lambda _delivered: None)
    assert "test.lost" not in HANDLERS


@pytest.mark.django_db(transaction=True)
def test_a_bulk_publish_may_leave_out_payload_fields_with_defaults():
    with transaction.atomic():
        tag = Tag.objects.create(name="vip")
        rows = Tag.objects.filter(pk=tag.pk).values(record_id=F("pk"))
        published = publish_selected(
            Noted, actor=None, record_model=Tag, rows=rows, shared={"n": 3}
        )
    event = EventRecord.objects.get()
    assert published == 1 and event.payload == {"n": 3}
    assert Noted.model_validate(event.payload) == Noted(n=3, note="")


@pytest.mark.django_db(transaction=True)
def test_a_bulk_publish_without_a_required_payload_field_is_refused():
    with pytest.raises(ValueError, match=r"\['n'\]"), transaction.atomic():
        tag = Tag.objects.create(name="vip")
        rows = Tag.objects.filter(pk=tag.pk).values(record_id=F("pk"))
        publish_selected(Noted, actor=None, record_model=Tag, rows=rows, shared={"note": "x"})
    assert not EventRecord.objects.exists()
