"""Running the analytics pipeline on the store and writing its results back.

A run reads a snapshot of the store into DuckDB (:mod:`guanxi.insights.store`), runs the
library's :func:`~guanxi.analytics.pipeline.analyze` on it, then writes scores, suggestions,
KPI cells and value tiers in one database transaction that also marks the run finished; the
cross-sell model and the KPI cells are computed in a thread while the scores are written. A
failure anywhere marks the run failed with the error and changes nothing else.
"""

import dataclasses
import datetime as dt
import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from functools import partial
from time import perf_counter
from typing import cast

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import ForeignObjectRel, Max, Min, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.analytics.churn.store_features import StoreTables
from guanxi.analytics.pipeline import STEPS, AnalysisConfig, AnalysisResult, analyze
from guanxi.audit.models import AuditAction
from guanxi.audit.services import TASK_CONTEXT, RequestContext, record, record_customer_set
from guanxi.core.planner_statistics import planner_statistics_refresh
from guanxi.customers.models import Customer
from guanxi.insights import events, kpi_cells, store
from guanxi.insights.bulk import insert_arrow, insert_arrow_into
from guanxi.insights.charts import CHART_COLUMNS, build_charts
from guanxi.insights.config import WriteBackConfig, default_analysis_config, write_back_config
from guanxi.insights.migration import migration_of
from guanxi.insights.models import (
    AnalysisRun,
    CrossSellSuggestion,
    CustomerScore,
    NewChurnWarning,
    RunStatus,
    RunTrigger,
    ScopeCharts,
)
from guanxi.insights.phases import RunPhases
from guanxi.insights.results import (
    Moves,
    json_ready,
    level_moves,
    new_warning_rows,
    registered,
    scope_keys,
    score_rows,
    suggestion_rows,
)
from guanxi.insights.scope_charts import COUNT as SCOPE_CHARTS
from guanxi.insights.scope_charts import company_moves, scope_chart_rows

logger = logging.getLogger(__name__)

# Every step a run announces to its progress callback, in order: reading the store, the
# pipeline's own steps, cross-selling and writing back.
RUN_STEPS = ("read", *STEPS, "cross_sell", "write")
Progress = Callable[[str], None]


def queue_analysis(*, viewer: policy.Viewer, context: RequestContext | None = None) -> AnalysisRun:
    """Queue a run for the background worker on behalf of a user allowed to start one."""
    if not policy.allows(viewer, "analysis.run"):
        raise PermissionDenied(_("Your role does not allow starting an analysis."))
    return queue_run(trigger=RunTrigger.MANUAL, triggered_by=viewer.user, context=context)


@transaction.atomic
def queue_run(
    *, trigger: str, triggered_by=None, context: RequestContext | None = None
) -> AnalysisRun:
    """Create a queued run and hand it to the background worker (no permission check:
    for the command line and for callers that have checked); audited with who queued it."""
    from guanxi.insights.tasks import run_queued_analysis  # the task module imports this one

    run = AnalysisRun.objects.create(trigger=trigger, triggered_by=triggered_by)
    _audit_run(run, AuditAction.CREATE, {"status": [None, run.status]}, context)
    # Enqueue only once the run row is committed, so the worker always finds it.
    transaction.on_commit(lambda: run_queued_analysis.enqueue(run.pk))
    return run


def run_analysis(
    config: AnalysisConfig | None = None,
    triggered_by=None,
    *,
    run: AnalysisRun | None = None,
    trigger: str = RunTrigger.COMMAND,
    progress: Progress | None = None,
) -> AnalysisRun:
    """Analyse the whole store now and write the results back; returns the run.

    ``run`` is a queued run to carry out (else a new one is created). The run is marked
    running (and committed) first, so others can see it is under way; it ends finished, or
    failed with the error and nothing else changed.
    """
    config = config or default_analysis_config()
    if config.as_of is None:
        # Recency counts up to today, not up to the last purchase anyone made.
        config = dataclasses.replace(config, as_of=timezone.localdate())
    write_back = write_back_config()
    if run is None:
        run = AnalysisRun(trigger=trigger, triggered_by=triggered_by)
    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    run.engine = f"duckdb {duckdb.__version__}"
    run.parameters = json_ready(
        {"analysis": dataclasses.asdict(config), "write_back": dataclasses.asdict(write_back)}
    )
    run.save()
    say = progress or (lambda _step: None)
    phases = RunPhases()
    try:
        began = perf_counter()
        say("read")
        with phases.timed("run_before"):
            # The run before, which the new warnings and the pyramid migration compare with.
            previous = AnalysisRun.objects.latest_finished()
            before = _results_of(previous)
        copy_began = perf_counter()
        with store.snapshot() as con:
            phases.since("snapshot", copy_began)
            result = _analyze(con, config, say)
            with phases.timed("score_rows"):
                scores = score_rows(con, result.customers, run.pk, write_back)
                moving = _tier_candidates(con, scores)
                news = new_warning_rows(con, scores, before)
                keys = scope_keys(con, scores)
                moves = level_moves(con, scores, before) if previous else None
                count, highest = con.execute(
                    "SELECT count(*), coalesce(max(customer_id), 0) FROM customers"
                ).fetchone() or (0, 0)
            say("cross_sell")
            # Suggestions and KPI cells are DuckDB's work, done on a cursor of the snapshot in
            # a thread of their own while the scores are written, which is the database
            # server's work (and Python's on SQLite): 15-20 s of a night at 1M on PostgreSQL.
            # DuckDB gets one core for it and leaves the other to the write: on both cores it
            # slowed SQLite's write at 1M to 36-45 s, against 28-29 s on one, and its own
            # work took no longer on one (PostgreSQL's write took as long either way).
            con.execute("SET threads = 1")
            with closing(con.cursor()) as cursor, ThreadPoolExecutor(max_workers=1) as pool:
                k = write_back.cross_sell_per_customer
                suggest = partial(suggestion_rows, cursor, run.pk, k)
                suggestions = pool.submit(phases.call, "cross_sell", suggest)
                costs = config.value.costs
                count_cells = partial(
                    kpi_cells.cell_rows, cursor, scores, run.pk, config.as_of, costs
                )
                cells = pool.submit(phases.call, "kpi_cells", count_cells)
                with phases.timed("charts"):
                    # Charts come before the write transaction: it holds SQLite's write lock.
                    by_scope = _draw_charts(run, scores, keys, moves, previous)
                run.seconds_analyse = round(perf_counter() - began, 3)
                say("write")
                rows = RunRows(scores, moving, news, suggestions, cells, by_scope, (count, highest))
                _write_back(run, result.overview, rows, write_back, phases)
    except Exception as exc:
        logger.exception("analysis run %s failed", run.pk)
        _fail(run, exc)
        return run
    prune_history(run, write_back.keep_runs)
    # The store grew since the last run: the planner's statistics follow it (on PostgreSQL,
    # of what the run rewrote: its scores and suggestions, and the customers' tiers).
    planner_statistics_refresh([CustomerScore, CrossSellSuggestion, Customer])
    return run


def prune_history(latest: AnalysisRun, keep_runs: int) -> None:
    """Delete finished runs beyond the newest ``keep_runs`` and suggestions of older runs.

    Separate from the run's own transaction: pruning is housekeeping, and the results are
    already committed when it starts.
    """
    finished = AnalysisRun.objects.filter(status=RunStatus.FINISHED).order_by("-finished_at")
    old = list(finished.values_list("pk", flat=True)[keep_runs:])
    with transaction.atomic():
        _delete_older_suggestions(latest)
        # Deleting a run deletes its scores (a cascade Django runs as one DELETE per table).
        AnalysisRun.objects.filter(pk__in=old).delete()


def _delete_older_suggestions(latest: AnalysisRun) -> None:
    """Delete the suggestions of every run but ``latest`` in set statements.

    Django's ``delete()`` loads each suggestion to unlink what refers to it (an opportunity
    made from one keeps its product and loses the link, ``on_delete=SET_NULL``): at 1M
    customers that is 2.5M rows, past SQLite's limit of variables in one statement.
    """
    # The opportunity's link is hidden (related_name="+"), so ask for hidden relations too.
    fields = CrossSellSuggestion._meta.get_fields(include_hidden=True)
    for relation in (f for f in fields if isinstance(f, ForeignObjectRel)):
        name = relation.field.name
        referrer = cast(type[Model], relation.related_model)
        referring = referrer._base_manager.filter(**{f"{name}__isnull": False})
        referring.exclude(**{f"{name}__run": latest}).update(**{name: None})
    table = connection.ops.quote_name(CrossSellSuggestion._meta.db_table)
    run_column = connection.ops.quote_name(CrossSellSuggestion._meta.get_field("run").column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {run_column} <> %s", [latest.pk])


def _analyze(
    con: duckdb.DuckDBPyConnection, config: AnalysisConfig, say: Progress
) -> AnalysisResult:
    """The pipeline on the snapshot, with holdings and lifecycle status for the pyramid and
    balances, product kinds and channels for the value measures."""
    backend = ibis.duckdb.from_connection(con)
    held = backend.table("holdings")
    holdings = held.group_by("customer_id").aggregate(**{config.pyramid.holdings_col: held.count()})
    customers = backend.table("customers")
    status = customers.select("customer_id", **{config.pyramid.status_col: customers["status"]})
    return analyze(
        backend.table("transactions"),
        customer_col="customer_id",
        time_col="occurred_at",
        amount_col="amount",
        config=config,
        holdings=holdings,
        status=status,
        balances=held.select("customer_id", "kind", "balance"),
        kind_col="kind",
        channel_col="channel",
        store=StoreTables(
            holdings=backend.table("holding_history"),
            contacts=backend.table("contacts"),
            lifecycle=backend.table("lifecycle"),
            customers=backend.table("customer_days"),
        ),
        progress=say,
    )


@dataclasses.dataclass(frozen=True)
class RunRows:
    """What a run writes back: its scores, the customers whose tier moves, its new churn
    warnings, suggestions and cells (still being computed beside the write), charts per
    branch and account manager, and how many customers its snapshot held up to which
    highest id."""

    scores: pa.Table
    moving: pa.Table
    news: pa.Table
    suggestions: Future[pa.Table]
    cells: Future[kpi_cells.CellRows]
    scope_charts: list[ScopeCharts]
    known: tuple[int, int]


def _write_back(
    run: AnalysisRun,
    overview: dict,
    rows: RunRows,
    write_back: WriteBackConfig,
    phases: RunPhases,
) -> None:
    """Write the run's rows, move value tiers and mark the run finished, in one transaction.

    What is ready is written first; the suggestions and cells are waited for after.
    """
    began = perf_counter()
    with transaction.atomic():
        with phases.timed("present_customers"):
            present = _present_customers(rows.known)
            scores, moving, news = (
                _of_present(present, t) for t in (rows.scores, rows.moving, rows.news)
            )
        with phases.timed("write_scores"):
            counts = {"scores": insert_arrow(CustomerScore, scores)}
            counts["new_churn_warnings"] = insert_arrow(NewChurnWarning, news)
            counts[SCOPE_CHARTS] = len(ScopeCharts.objects.bulk_create(rows.scope_charts))
        with phases.timed("tier_changes"):
            tiers = write_back.write_value_tier
            counts["tier_changes"] = _apply_value_tiers(run, moving) if tiers else 0
        with phases.timed("wait_suggestions"):
            suggestions = _of_present(present, rows.suggestions.result())
        with phases.timed("write_suggestions"):
            counts["suggestions"] = insert_arrow(CrossSellSuggestion, suggestions)
        with phases.timed("wait_cells"):
            cells = rows.cells.result()
        with phases.timed("write_cells"):
            counts |= kpi_cells.cells_insert(cells=cells)
        run.seconds_write = round(perf_counter() - began, 3)
        _finish(run, overview, counts, scores, phases)
        _audit_run(run, AuditAction.UPDATE, {"status": [RunStatus.RUNNING, run.status]})


def _results_of(run: AnalysisRun | None) -> pa.Table:
    """``customer_id``, ``pyramid_level`` and ``churn_warning`` of every customer ``run``
    scored (no rows without a run): one read of its million rows through the cursor, whose
    tuples become the columns."""
    rows: list = []
    if run is not None:
        found = CustomerScore.objects.filter(run=run)
        # A run writes its rows together, so their ids make one range: read along the
        # primary key within it (through a run's index, in that index's order, SQLite took
        # 3.1 s instead of 0.9 s at a million rows). Rows of another run in the range, had
        # two runs ever written at once, are still left out by the run.
        ids = found.aggregate(low=Min("id"), high=Max("id"))
        found = found.filter(id__gte=ids["low"], id__lte=ids["high"])
        sql, params = found.values_list(*RESULTS_BEFORE).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) or [(), (), ()]
    return pa.table(
        {
            name: pa.array(values, kind)
            for (name, kind), values in zip(RESULTS_BEFORE.items(), columns, strict=True)
        }
    )


def _present_customers(known: tuple[int, int]) -> pa.Array | None:
    """The ids of the customers in the store now, or None if every customer the snapshot
    held still is; ``known`` is how many customers the snapshot held, up to which highest id.

    The run's scores and suggestions keep no foreign-key constraints (see
    ``guanxi.insights.models``), so nothing else would stop a customer deleted since the
    snapshot from leaving a score behind. Read inside the write transaction (on SQLite under
    its write lock, so no customer can go between this read and the commit). Ids only
    grow, so when as many customers remain up to the snapshot's highest id as it held, none
    went, and a count from the index answers (reading every id took 2 s).
    """
    count, highest = known
    if not count:
        return None
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id <= %s", [highest])
        if cursor.fetchone()[0] == count:
            return None
        cursor.execute(f"SELECT id FROM {table} WHERE id <= %s", [highest])
        return pa.array([row[0] for row in cursor.fetchall()], pa.int64())


def _of_present(present: pa.Array | None, table: pa.Table) -> pa.Table:
    """``table`` without the rows of customers not ``present`` (None: all are)."""
    if present is None or not table.num_rows:
        return table
    return table.filter(pc.is_in(table["customer_id"], value_set=present))


def _tier_candidates(con: duckdb.DuckDBPyConnection, scores: pa.Table) -> pa.Table:
    """The ids (``customer_id``) of the customers whose tier in the snapshot is not the run's."""
    with registered(con, run_tiers=scores.select(["customer_id", "value_tier"])):
        return con.execute(
            "SELECT customer_id FROM run_tiers JOIN customers USING (customer_id)"
            " WHERE customers.value_tier IS DISTINCT FROM run_tiers.value_tier"
        ).to_arrow_table()


TIER_CANDIDATES = "insights_tier_candidates"
# What a run reads of the run before it, and their types.
RESULTS_BEFORE = {
    "customer_id": pa.int64(),
    "pyramid_level": pa.string(),
    "churn_warning": pa.bool_(),
}


def _apply_value_tiers(run: AnalysisRun, moving: pa.Table) -> int:
    """Copy the run's value tiers onto the customers whose tier changes; returns how many.

    Only the customers ``moving`` names (their tier in the snapshot differs) are looked at:
    joining all of a run's scores to the customers took 25 s at 1M when no tier moved. They
    go to a temporary table, dropped again in the same transaction. The statements still
    compare the stored tier, so a tier edited since the snapshot is not moved blindly.

    One UPDATE ... FROM (SQLite 3.33+ and PostgreSQL alike) joins the run's scores instead
    of a lookup per customer; the version moves so an edit form opened before the run
    cannot silently put the old tier back. One audit entry, written first, names the
    customers whose tier changes (the old and new tiers are the scores of the runs).
    """
    if moving.num_rows == 0:
        return 0
    customer = connection.ops.quote_name(Customer._meta.db_table)
    score = connection.ops.quote_name(CustomerScore._meta.db_table)
    candidates = connection.ops.quote_name(TIER_CANDIDATES)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {candidates} (customer_id bigint PRIMARY KEY)")
    insert_arrow_into(TIER_CANDIDATES, moving)
    among = f"SELECT customer_id FROM {candidates}"
    changing = (
        f"SELECT c.id FROM {customer} c JOIN {score} s ON s.customer_id = c.id"
        f" WHERE s.run_id = %s AND c.value_tier <> s.value_tier AND c.id IN ({among})"
    )
    record_customer_set(
        run.triggered_by,
        AuditAction.UPDATE,
        "analysis_run",
        run.pk,
        ["value_tier"],
        TASK_CONTEXT,
        customers_sql=changing,
        params=[run.pk],
    )
    events.publish_tier_changes(run=run, candidates_sql=among)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {customer} SET value_tier = s.value_tier, version = {customer}.version + 1,"
            f" updated_at = %s FROM {score} s WHERE s.run_id = %s"
            f" AND s.customer_id = {customer}.id AND {customer}.value_tier <> s.value_tier"
            f" AND {customer}.id IN ({among})",
            [timezone.now(), run.pk],
        )
        moved = cursor.rowcount
        cursor.execute(f"DROP TABLE {candidates}")
    return moved


def _draw_charts(
    run: AnalysisRun,
    scores: pa.Table,
    keys: pa.Table,
    moves: Moves | None,
    previous: AnalysisRun | None,
) -> list[ScopeCharts]:
    """Set the company's charts on ``run``; returns the charts of each branch and account
    manager (``keys``: their ids per score row; ``moves``: the pyramid's since ``previous``)."""
    columns = _chart_columns(scores)
    run.charts = build_charts(columns)
    run.charts["pyramid_migration"] = (
        migration_of(company_moves(moves), previous) if moves and previous else None
    )
    return scope_chart_rows(
        run=run,
        columns=columns,
        keys={name: keys[name].to_numpy() for name in keys.column_names},
        moves=moves,
        previous=previous,
    )


def _chart_columns(scores: pa.Table) -> dict[str, np.ndarray]:
    """The score rows' chart inputs as arrays (missing numbers as NaN)."""
    return {
        name: scores[name].to_numpy(zero_copy_only=False)
        if pa.types.is_string(scores[name].type)
        else scores[name].cast(pa.float64()).fill_null(np.nan).to_numpy()
        for name in CHART_COLUMNS
    }


def _finish(
    run: AnalysisRun, raw_overview: dict, counts: dict, scores: pa.Table, phases: RunPhases
) -> None:
    overview = cast(dict, json_ready(raw_overview))
    # The store-side phases beside the pipeline's steps, for whoever tunes the nightly run.
    overview["timings"] = {**overview.get("timings", {}), **phases.seconds}
    run.status = RunStatus.FINISHED
    run.finished_at = timezone.now()
    run.as_of = dt.date.fromisoformat(overview["as_of"])
    run.overview = overview
    run.counts = {
        **counts,
        "customers": scores.num_rows,
        "transactions": overview.get("n_transactions", 0),
        "churn_warnings": overview.get("churn_warnings", 0),
        # the call list as written (capped per account manager if so configured)
        "churn_calls": int(pc.sum(scores["churn_priority"]).as_py() or 0),
    }
    run.save()
    events.publish_run_finished(run=run)


def _fail(run: AnalysisRun, exc: Exception) -> None:
    """Record the failure on the run, outside the rolled-back write transaction."""
    run.status = RunStatus.FAILED
    run.finished_at = timezone.now()
    run.error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
    with transaction.atomic():
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=run.status, finished_at=run.finished_at, error=run.error
        )
        _audit_run(run, AuditAction.UPDATE, {"status": [RunStatus.RUNNING, run.status]})


def _audit_run(
    run: AnalysisRun, action: AuditAction, changes: dict, context: RequestContext | None = None
) -> None:
    """An entry for the run, in the name of whoever started it (the system for schedules)."""
    record(
        run.triggered_by,
        action,
        "analysis_run",
        [run.pk],
        ["status"],
        context or TASK_CONTEXT,
        changes=changes,
    )
