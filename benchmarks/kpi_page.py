"""KPI page and dashboard trends: response time for the whole company and for one branch.

Both read only the small per-run aggregates written at write-back (``KpiCell``,
``RunCell``), never the customers, transactions or score history, so their cost depends on
how many cells there are: account managers x periods (KPI page) and account managers x
value tiers x pyramid levels x kept runs (trends). This script builds that many cells for
a store of ``--customers`` customers in a scratch database (``--per-manager`` customers per
account manager, ``--branches`` branches, ``--months`` of history: a month, quarter and
year cell per manager and period, and ``--runs`` kept runs of run cells), then times, with
Django's test client (URL routing, session, policy, query, template):

* ``/analytics/kpis/`` as an analyst (the company, with the breakdown by branch) and as a
  branch manager (one branch);
* the dashboard's trend selector for the same two viewers.

    .venv/bin/python benchmarks/kpi_page.py --customers 1000000
    .venv/bin/python benchmarks/kpi_page.py --customers 1000000 --database-url postgres://...

Targets (issue 10 §5): the whole company <= 1 s, one branch <= 300 ms, at 1,000,000 customers.
"""

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time

TARGETS_MS = {"company": 1000, "branch": 300}
TIERS = ("platinum", "gold", "silver", "standard")
LEVELS = ("A", "B", "C", "D", "inactive", "potential", "suspect")


def main() -> None:
    """Parse options, build the cells, time the reads, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--per-manager", type=int, default=1000)
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--months", type=int, default=36, help="history of the KPI cells")
    parser.add_argument("--runs", type=int, default=30, help="kept runs (keep_runs)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (else SQLite)")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["GUANXI_DATA_DIR"] = tempfile.mkdtemp(prefix="guanxi-kpi-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    viewers = _build(args)
    print(
        f"{connection.vendor}: {args.customers:,} customers, "
        f"{args.customers // args.per_manager:,} account managers in {args.branches} branches, "
        f"{_count('KpiCell'):,} KPI cells, {_count('RunCell'):,} run cells"
    )
    for scope, user in viewers.items():
        page = _time(args.repeat, lambda u=user: _get_kpis(u))
        trend = _time(args.repeat, lambda u=user: _trend(u))
        target = TARGETS_MS[scope]
        print(
            f"  {scope:<8} KPI page p50 {page[0]:7.1f} ms  max {page[1]:7.1f} ms"
            f"  | trends p50 {trend[0]:7.1f} ms  max {trend[1]:7.1f} ms  (target {target} ms)"
        )


def _count(model: str) -> int:
    from django.apps import apps

    return apps.get_model("insights", model).objects.count()


def _build(args) -> dict:
    """Branches, account managers, a branch manager and an analyst, and their cells."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from guanxi.insights.models import AnalysisRun, KpiCell, RunCell, RunStatus, RunTrigger
    from guanxi.org.models import Branch, Company, Profile

    managers = max(1, args.customers // args.per_manager)
    with transaction.atomic():
        company = Company.objects.create(name="基准银行")
        branches = Branch.objects.bulk_create(
            Branch(company=company, code=f"B{i:03d}", name=f"第{i}分行")
            for i in range(args.branches)
        )
        # Unusable passwords: hashing a thousand real ones would take minutes.
        users = User.objects.bulk_create(
            User(username=f"am{i}", password="!") for i in range(managers)
        )
        analyst = User.objects.create(username="analyst", password="!")
        boss = User.objects.create(username="bm", password="!")
        Profile.objects.bulk_create(
            [
                *(
                    Profile(user=u, branch=branches[i % len(branches)], roles=["account_manager"])
                    for i, u in enumerate(users)
                ),
                Profile(user=analyst, roles=["analyst"]),
                Profile(user=boss, branch=branches[0], roles=["branch_manager"]),
            ]
        )
        today = timezone.localdate()
        runs = [
            AnalysisRun.objects.create(
                status=RunStatus.FINISHED,
                trigger=RunTrigger.NIGHTLY,
                finished_at=timezone.now() - dt.timedelta(days=args.runs - i),
                as_of=today,
            )
            for i in range(args.runs)
        ]
        per = args.per_manager
        for i, user in enumerate(users):
            branch = branches[i % len(branches)]
            KpiCell.objects.bulk_create(
                KpiCell(
                    run=runs[-1],
                    period_kind=kind,
                    period=start,
                    branch=branch,
                    owner=user,
                    active_customers=per // 2,
                    new_customers=per // 50,
                    retained_customers=per // 3,
                    revenue=per * 812.5,
                    profit=per * 300.0,
                    products_held=per,
                    cross_sold=per // 4,
                    referred_customers=per // 200,
                )
                for kind, start in _periods(today, args.months)
            )
            RunCell.objects.bulk_create(
                RunCell(
                    run=run,
                    branch=branch,
                    owner=user,
                    value_tier=tier,
                    pyramid_level=level,
                    customers=per // (len(TIERS) * len(LEVELS)),
                    churn_warnings=3,
                    churn_calls=1,
                    score_sum=1234.5,
                    scored=30,
                )
                for run in runs
                for tier in TIERS
                for level in LEVELS
            )
        RunCell.objects.bulk_create(  # the company's rows, which company-wide viewers read
            RunCell(run=run, value_tier=tier, pyramid_level=level, customers=managers * per // 28)
            for run in runs
            for tier in TIERS
            for level in LEVELS
        )
    return {"company": analyst, "branch": boss}


def _periods(today: dt.date, months: int):
    """(kind, first day) of every month, quarter and year of ``months`` of history."""
    found = set()
    for back in range(months):
        index = today.year * 12 + today.month - 1 - back
        year, month = divmod(index, 12)
        found |= {
            ("month", dt.date(year, month + 1, 1)),
            ("quarter", dt.date(year, month // 3 * 3 + 1, 1)),
            ("year", dt.date(year, 1, 1)),
        }
    return sorted(found)


def _get_kpis(user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    started = time.perf_counter()
    response = client.get("/analytics/kpis/")
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - started


def _trend(user) -> float:
    from guanxi import policy
    from guanxi.insights.trend_selectors import run_trend_list_for_user

    started = time.perf_counter()
    assert run_trend_list_for_user(viewer=policy.Viewer.of(user)) is not None
    return time.perf_counter() - started


def _time(repeat: int, call) -> tuple[float, float]:
    """Median and worst of ``repeat`` calls after one warm-up, in ms."""
    call()
    seconds = [call() for _ in range(repeat)]
    return statistics.median(seconds) * 1000, max(seconds) * 1000


if __name__ == "__main__":
    main()
