"""How long computing one SLA deadline takes on a working calendar (target: ≤ 0.2 ms).

    .venv/bin/python benchmarks/sla_deadline.py                      # the arithmetic alone
    .venv/bin/python benchmarks/sla_deadline.py --store              # also through the store

The calendar is a Shanghai service desk working 09:00–12:00 and 13:30–17:30 on weekdays
with China's public holidays and make-up working days (the chinese-calendar package's
2026). ``--deadlines`` starts, uniformly random over 1 January – 15 December 2026 and given
in UTC, each get a deadline of a mixed working duration (30 minutes to five working days).

- ``arithmetic``: ``WorkingTime.deadline_after`` on one engine, as a sweep or a service
  holding the calendar's engine computes them; the first deadline of a fresh engine (which
  lays out the year) is reported apart as ``cold``.
- ``store`` (``--store``): ``sla_deadlines`` on a stored policy, per deadline: the loader's
  cache check (one query for the official schedules' stamp) and both of the policy's
  deadlines, on a fresh SQLite database.

Each mode runs ``--rounds`` times; the median round is reported in µs per deadline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_US = 200.0
DURATIONS = [timedelta(minutes=m) for m in (30, 60, 120, 240, 420, 480, 960, 1260, 2100)]
DESK_DAY = ((540, 720), (810, 1050))  # 09:00–12:00, 13:30–17:30


def _workload(n: int, seed: int = 12) -> list[tuple[datetime, timedelta]]:
    rng = random.Random(seed)
    first = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    last = datetime(2026, 12, 15, tzinfo=UTC).timestamp()
    return [
        (datetime.fromtimestamp(rng.uniform(first, last), tz=UTC), rng.choice(DURATIONS))
        for _ in range(n)
    ]


def _engine():
    from chinese_calendar import constants

    from guanxi.service.working_time import CalendarSpec, PublicDays, WorkingTime

    public = PublicDays(
        holidays=dict(constants.holidays),
        workdays=dict(constants.workdays),
        years=frozenset(range(2004, 2027)),
    )
    spec = CalendarSpec("Asia/Shanghai", (DESK_DAY,) * 5 + ((), ()), public_days=public)
    return WorkingTime(spec)


def _time_arithmetic(work, rounds: int) -> tuple[float, float]:
    """(cold µs for a fresh engine's first deadline, median µs per deadline warm)."""
    engine = _engine()
    began = time.perf_counter()
    engine.deadline_after(*work[0])
    cold = (time.perf_counter() - began) * 1e6
    per_round = []
    for _ in range(rounds):
        began = time.perf_counter()
        for start, duration in work:
            engine.deadline_after(start, duration)
        per_round.append((time.perf_counter() - began) / len(work) * 1e6)
    return cold, statistics.median(per_round)


def _time_store(work, rounds: int) -> float:
    """Median µs per ``sla_deadlines`` call (two deadlines) on a fresh SQLite store."""
    os.environ.pop("DATABASE_URL", None)
    os.environ["GUANXI_DATA_DIR"] = tempfile.mkdtemp(prefix="guanxi-sla-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from guanxi.audit.services import TASK_CONTEXT
    from guanxi.policy import Viewer
    from guanxi.service import calendars, sla_policies

    call_command("migrate", verbosity=0)
    system = Viewer.system()
    week = [
        {"weekday": d, "start": s, "end": e}
        for d in range(5)
        for s, e in (("09:00", "12:00"), ("13:30", "17:30"))
    ]
    desk = calendars.calendar_create(
        viewer=system, name="客服中心", periods=week, context=TASK_CONTEXT
    )
    policy = sla_policies.sla_policy_create(
        viewer=system, case_type="complaint", priority="normal", first_response_minutes=240,
        resolution_minutes=2100, calendar_id=desk.pk, context=TASK_CONTEXT,
    )  # fmt: skip
    sla_policies.sla_deadlines(sla_policy=policy, received_at=work[0][0])  # lays out 2026
    per_round = []
    for _ in range(rounds):
        began = time.perf_counter()
        for start, _duration in work:
            sla_policies.sla_deadlines(sla_policy=policy, received_at=start)
        per_round.append((time.perf_counter() - began) / len(work) * 1e6)
    return statistics.median(per_round)


def main() -> None:
    """Parse options, time the modes, print µs per deadline against the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deadlines", type=int, default=10_000, help="deadlines per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per mode")
    parser.add_argument("--store", action="store_true", help="also time through the store")
    args = parser.parse_args()
    work = _workload(args.deadlines)
    cold, warm = _time_arithmetic(work, args.rounds)
    verdict = "ok" if warm <= TARGET_US else "OVER TARGET"
    print(f"{args.deadlines:,} deadlines x {args.rounds} rounds, mixed 30 min – 35 h, 2026")
    print(f"  arithmetic  {warm:8.2f} µs/deadline (median round)  target ≤ {TARGET_US:.0f} µs: "
          f"{verdict}")  # fmt: skip
    print(f"  cold        {cold:8.0f} µs for a fresh engine's first deadline (lays out the year)")
    if args.store:
        stored = _time_store(work, args.rounds)
        verdict = "ok" if stored / 2 <= TARGET_US else "OVER TARGET"
        print(f"  store       {stored:8.2f} µs per sla_deadlines call (2 deadlines, 1 query): "
              f"{stored / 2:.2f} µs/deadline {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
