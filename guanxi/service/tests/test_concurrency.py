"""Two administrators changing one calendar at once, two agents moving one case at once:
one wins whole, the other changes nothing (not even the exceptions it would have replaced,
nor a transition row)."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from guanxi import policy
from guanxi.concurrency import VersionConflict
from guanxi.service import calendars, cases
from guanxi.service.case_models import Case, CaseTransition
from guanxi.service.case_transitions import case_transition
from guanxi.service.models import CalendarException, WorkingCalendar
from guanxi.service.tests.conftest import CONTEXT, LUNCH_BREAK_WEEK


@pytest.mark.django_db(transaction=True)
def test_two_administrators_replacing_exceptions_at_once_cannot_both_win(staff) -> None:
    viewer = policy.Viewer.of(staff["admin"])
    desk = calendars.calendar_create(
        viewer=viewer, name="客服中心", periods=LUNCH_BREAK_WEEK, context=CONTEXT
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(note: str, day: date) -> None:
        barrier.wait()
        try:
            calendars.calendar_update(
                viewer=viewer, calendar_id=desk.pk, expected_version=1, context=CONTEXT,
                exceptions=[{"day": day, "note": note}],
            )  # fmt: skip
            outcomes.append(f"saved {note}")
        except VersionConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=args)
        for args in (("盘点", date(2026, 11, 10)), ("培训", date(2026, 11, 11)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.split()[0] for o in outcomes) == ["conflict", "saved"]
    assert WorkingCalendar.objects.get(pk=desk.pk).version == 2
    kept = list(CalendarException.objects.values_list("note", flat=True))
    assert len(kept) == 1 and f"saved {kept[0]}" in outcomes


@pytest.mark.django_db(transaction=True)
def test_two_agents_moving_one_case_at_once_cannot_both_win(staff, make_customer) -> None:
    viewer = policy.Viewer.of(staff["admin"])
    case = cases.case_create(
        viewer=viewer, customer_id=make_customer("王芳").pk, case_type="inquiry",
        channel="hotline", priority="normal", subject="咨询", context=CONTEXT,
    )  # fmt: skip
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(state: str) -> None:
        barrier.wait()
        try:
            case_transition(
                viewer=viewer, case_id=case.pk, state=state, expected_version=case.version,
                context=CONTEXT, on_the_spot=True, note="当场解答",
            )  # fmt: skip
            outcomes.append(state)
        except (VersionConflict, ValidationError):
            # The later one finds a newer version, or (when it read the case after the
            # winner's commit) a state it may not move from: refused either way.
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(s,)) for s in ("acknowledged", "closed")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [o for o in outcomes if o != "conflict"]
    assert len(won) == 1 and outcomes.count("conflict") == 1
    assert Case.objects.get(pk=case.pk).state == won[0]
    assert list(CaseTransition.objects.filter(case=case).values_list("to_state", flat=True)) == [
        "new",
        won[0],
    ]
