"""What publishing a domain event adds to the write that records it.

    .venv/bin/python benchmarks/event_overhead.py                     # fresh SQLite file
    .venv/bin/python benchmarks/event_overhead.py --writes 2000 \\
        --database-url postgres://postgres@127.0.0.1:5432/guanxi_bench   # a scratch database

Books ``--writes`` transactions per mode through ``guanxi.customers.holdings.
transaction_book`` as ``Viewer.system()`` (one transaction each: the policy check, the
transaction row, the customer's running totals, its audit entry and, when publishing, the
outbox row) in three modes:

- ``off``: the event is not published (the publish call replaced by nothing);
- ``outbox``: the event row is written, no dispatch task queued (``queue_dispatch`` off);
- ``outbox+queue``: as shipped: the row, and after commit the check for a waiting dispatch
  task (the first write of a round queues one; the rest find it waiting).

The modes take turns in rounds, so a neighbour's load on the shared machine falls on all of
them alike; the median round of each mode is reported, in ms per write, with the overhead
over ``off``. Target: at most a few milliseconds per write. Then the events the writes
published are dispatched to one handler that does nothing (receipts and all), to show how
fast a dispatcher works them off.

``--tier-customers N`` also times an analysis run's value-tier write-back for N customers
whose tier all move: the UPDATE alone, the one INSERT ... SELECT that publishes an event per
moved customer, and the dispatch pass that marks them dispatched when nobody subscribes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
MODES = ("off", "outbox", "outbox+queue")


def main() -> None:
    """Parse options, prepare the database, time the modes, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=2000, help="writes per mode")
    parser.add_argument("--rounds", type=int, default=10, help="turns each mode takes")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (else SQLite)")
    parser.add_argument("--tier-customers", type=int, default=0, help="time a tier write-back")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["GUANXI_DATA_DIR"] = tempfile.mkdtemp(prefix="guanxi-events-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    customer = _customer()
    per_round = max(1, args.writes // args.rounds)
    seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
    for turn in range(args.rounds):
        order = MODES if turn % 2 == 0 else MODES[::-1]
        for mode in order:
            seconds[mode].append(_time_round(mode, customer, per_round, settings) / per_round)
    engine = connection.vendor
    print(f"{engine}: {per_round * args.rounds:,} writes per mode in {args.rounds} rounds")
    base = statistics.median(seconds["off"]) * 1000
    for mode in MODES:
        ms = statistics.median(seconds[mode]) * 1000
        print(f"  {mode:<13} {ms:6.3f} ms/write  overhead {ms - base:+6.3f} ms/write")
    _time_dispatch()
    if args.tier_customers:
        _time_tier_changes(args.tier_customers, customer.branch)


def _customer():
    from django.utils import timezone

    from guanxi.customers.models import Customer
    from guanxi.org.models import Branch, Company

    company = Company.objects.create(name="基准银行")
    branch = Branch.objects.create(company=company, code=f"B{time.time_ns()}", name="基准分行")
    return Customer.objects.create(name="基准客户", branch=branch, created_at=timezone.now())


def _time_round(mode: str, customer, writes: int, settings) -> float:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from guanxi.audit.services import TASK_CONTEXT
    from guanxi.core.events.tasks import dispatch_events
    from guanxi.customers import events, holdings
    from guanxi.policy import Viewer

    # Each round starts with an empty queue, as a worker that keeps up would leave it.
    DBTaskResult.objects.filter(task_path=dispatch_events.module_path).delete()
    settings.GUANXI_EVENTS = {"queue_dispatch": mode == "outbox+queue"}
    original = events.publish_transaction_booked
    if mode == "off":
        events.publish_transaction_booked = lambda **_kwargs: None
    try:
        system = Viewer.system()
        began = time.perf_counter()
        for _ in range(writes):
            holdings.transaction_book(
                viewer=system,
                customer_id=customer.pk,
                booking=holdings.Booking(
                    amount=Decimal("10.00"), channel="online", occurred_at=timezone.now()
                ),
                context=TASK_CONTEXT,
            )
        return time.perf_counter() - began
    finally:
        events.publish_transaction_booked = original


def _time_dispatch() -> None:
    """Hand the events the writes published to one handler that does nothing."""
    from guanxi.core.events import subscribe
    from guanxi.core.events.dispatch import dispatch_pending
    from guanxi.core.events.subscriptions import HANDLERS

    subscribe("transaction.booked", handler="benchmark.nothing")(lambda _delivered: None)
    began = time.perf_counter()
    report = dispatch_pending()
    seconds = time.perf_counter() - began
    HANDLERS.unregister("benchmark.nothing")
    print(
        f"dispatch: {report.dispatched:,} events to one handler in {seconds:.2f} s"
        f" ({report.dispatched / seconds:,.0f} events/s)"
    )


def _time_tier_changes(count: int, branch) -> None:
    from django.db import transaction
    from django.utils import timezone

    from guanxi.core.events.dispatch import dispatch_pending
    from guanxi.customers.models import Customer
    from guanxi.insights import events, services
    from guanxi.insights.models import AnalysisRun, CustomerScore

    now = timezone.now()
    first = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    Customer.objects.bulk_create(
        (Customer(name=f"客户{i}", branch=branch, created_at=now) for i in range(count)),
        batch_size=5000,
    )
    customers = Customer.objects.filter(pk__gt=first).values_list("pk", flat=True)
    run = AnalysisRun.objects.create(trigger="command")
    CustomerScore.objects.bulk_create(
        (CustomerScore(run=run, customer_id=pk, value_tier="gold") for pk in customers),
        batch_size=5000,
    )
    publishing = events.publish_tier_changes
    timings = {}
    for label, publish in (("update only", lambda **_kw: 0), ("update + events", publishing)):
        events.publish_tier_changes = publish
        began = time.perf_counter()
        try:
            with transaction.atomic():
                moved = services._apply_value_tiers(run)
                timings[label] = time.perf_counter() - began
                if label == "update only":
                    transaction.set_rollback(True)  # the tiers move again in the next turn
        finally:
            events.publish_tier_changes = publishing
    began = time.perf_counter()
    report = dispatch_pending()
    dispatch = time.perf_counter() - began
    print(f"tier write-back, {moved:,} customers moved:")
    for label, seconds in timings.items():
        print(f"  {label:<16} {seconds:7.2f} s")
    print(f"  dispatch (no subscribers, {report.dispatched:,} events) {dispatch:7.2f} s")


if __name__ == "__main__":
    main()
