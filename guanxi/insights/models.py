"""Analysis runs and what they found: per-customer scores and cross-sell suggestions.

Every run keeps its own rows, so a customer's scores have a history; the latest finished
run is the current truth. Each run also keeps small aggregates per branch and account
manager (KPI components per period, and counts per value tier and pyramid level) that
pages sum over the viewer's scope instead of reading every customer's row.
"""

from typing import TypeVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer, Product, ValueTier
from guanxi.org.models import Branch


class RunStatus(models.TextChoices):
    """Where an analysis run stands."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    """What started an analysis run."""

    MANUAL = "manual", _("Started by a user")
    NIGHTLY = "nightly", _("Nightly schedule")
    COMMAND = "command", _("Command line")


class AnalysisRunQuerySet(models.QuerySet):
    """Queries over analysis runs."""

    def latest_finished(self) -> "AnalysisRun | None":
        """The newest finished run, whose scores are the current ones."""
        return self.filter(status=RunStatus.FINISHED).order_by("-finished_at", "-id").first()

    def latest_finished_id(self) -> int | None:
        """The id of ``latest_finished()``, read alone (the customer list joins its scores)."""
        finished = self.filter(status=RunStatus.FINISHED).order_by("-finished_at", "-id")
        return finished.values_list("id", flat=True).first()


class AnalysisRun(models.Model):
    """One run of the analytics pipeline over the whole store."""

    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=RunTrigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("triggered by"),
    )
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    engine = models.CharField(_("engine"), max_length=32, blank=True)
    as_of = models.DateField(_("data as of"), null=True, blank=True)
    # The full analysis and write-back configuration, so a run can be explained later.
    parameters = models.JSONField(_("parameters"), default=dict, encoder=DjangoJSONEncoder)
    counts = models.JSONField(_("counts"), default=dict, encoder=DjangoJSONEncoder)
    overview = models.JSONField(_("overview"), default=dict, encoder=DjangoJSONEncoder)
    # Company-wide chart series, computed once at write-back instead of on every page view.
    charts = models.JSONField(_("charts"), default=dict, encoder=DjangoJSONEncoder)
    seconds_analyse = models.FloatField(null=True, blank=True)
    seconds_write = models.FloatField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = AnalysisRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["status", "finished_at"], name="run_status_finished")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"


_Key = TypeVar("_Key", bound=models.Model)


def run_row_key(to: type[_Key], related_name: str = "+") -> "models.ForeignKey[_Key, _Key]":
    """A key of a run's score or suggestion (3.5 million rows a run at a million customers),
    with no index of its own and no constraint in the database.

    The indexes a run's rows are read by start with their keys, and every index costs each
    run millions of entries written and deleted. Checking every row's keys took 30 s of the
    write-back at commit on PostgreSQL, 3 s on SQLite (``guanxi.core.foreign_keys``). The
    ids come from the run's own snapshot, the run leaves out customers deleted meanwhile as
    it writes (``guanxi.insights.services``), and deleting a customer, product or run still
    deletes the rows through Django's cascade.
    """
    return models.ForeignKey(
        to,
        on_delete=models.CASCADE,
        related_name=related_name,
        db_index=False,
        db_constraint=False,
    )


class CustomerScore(models.Model):
    """What one run found about one customer."""

    run = run_row_key(AnalysisRun, "scores")
    customer = run_row_key(Customer, "scores")
    rfm_segment = models.CharField(_("RFM segment"), max_length=32, blank=True)
    r_score = models.PositiveSmallIntegerField(null=True, blank=True)
    f_score = models.PositiveSmallIntegerField(null=True, blank=True)
    m_score = models.PositiveSmallIntegerField(null=True, blank=True)
    pyramid_level = models.CharField(_("pyramid level"), max_length=16, blank=True)
    p_alive = models.FloatField(_("probability alive"), null=True, blank=True)
    expected_purchases = models.FloatField(_("expected purchases"), null=True, blank=True)
    clv = models.FloatField(_("customer lifetime value"), null=True, blank=True)
    total_revenue = models.FloatField(_("revenue"), null=True, blank=True)
    revenue_12m = models.FloatField(_("revenue, last 12 months"), null=True, blank=True)
    churn_warning = models.BooleanField(_("churn warning"), default=False)
    churn_severity = models.PositiveSmallIntegerField(_("churn severity"), default=0)
    churn_reason_codes = models.JSONField(default=list, blank=True)
    churn_reason_en = models.TextField(blank=True)
    churn_reason_zh = models.TextField(blank=True)
    # Whom to call first (guanxi.analytics.churn_priority). Nullable without a default, so
    # that adding them is an ALTER TABLE ... ADD COLUMN, not a rebuild of the history table;
    # runs before them have NULL (no call list).
    churn_probability = models.FloatField(_("churn probability"), null=True, blank=True)
    value_at_risk = models.FloatField(_("value at risk"), null=True, blank=True)
    churn_rank = models.PositiveIntegerField(_("churn rank"), null=True, blank=True)
    churn_priority = models.BooleanField(_("on the call list"), null=True, blank=True)
    # The churn model's own probability and its reasons as codes with parameters
    # ([{"code": feature, "value": text, "contribution": p}], rendered in the reader's
    # language); null for runs before the model, customers it did not judge or explain.
    churn_model_probability = models.FloatField(_("churn model probability"), null=True, blank=True)
    churn_model_reasons = models.JSONField(null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    rank_company = models.PositiveIntegerField(_("rank in company"), null=True, blank=True)
    rank_branch = models.PositiveIntegerField(_("rank in branch"), null=True, blank=True)
    value_tier = models.CharField(_("value tier"), max_length=16, choices=ValueTier.choices)
    # The value measures (guanxi.analytics.value); nullable, like the call list's columns, so
    # adding them does not rebuild the history table, and runs before them have none.
    value = models.FloatField(_("value"), null=True, blank=True)
    value_share = models.FloatField(_("top share of the company"), null=True, blank=True)
    value_share_branch = models.FloatField(_("top share of the branch"), null=True, blank=True)
    aum = models.FloatField(_("AUM"), null=True, blank=True)
    monthly_spend = models.FloatField(_("monthly spend"), null=True, blank=True)
    tenure_months = models.PositiveIntegerField(_("months as a customer"), null=True, blank=True)
    cost_12m = models.FloatField(_("cost to serve, last 12 months"), null=True, blank=True)
    profit_12m = models.FloatField(_("profit, last 12 months"), null=True, blank=True)
    unprofitable = models.BooleanField(_("costs more than it brings"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        indexes = [
            # With the warning, my day's "newly at risk" (is this customer warned in this run,
            # and was it in the run before?) reads the index alone for each customer of a
            # portfolio: 110 -> 28 ms for a team lead's at a million customers; with the
            # severity it also picks the most severe there, where PostgreSQL read the
            # score row of every warned customer of a team (170 ms). With the other columns a
            # customer export writes, its lookups read no score row: the export's query took
            # 11.0 s at a million customers on SQLite, 7.7-8.2 s with them.
            models.Index(
                fields=[
                    *("customer", "run", "churn_warning", "churn_severity"),
                    *("rfm_segment", "churn_priority", "value_at_risk", "score"),
                ],
                name="score_customer_run_warning",
            ),
            # The churn list: a run's warnings, the call list first, by value at risk.
            models.Index(
                fields=["run", "churn_warning", "-churn_priority", "churn_rank"],
                name="score_run_call_list",
            ),
            # The customer list's warnings by value at risk (guanxi.customers.list_analytics):
            # a page of them is the first rows of this index, joined to their customers.
            models.Index(
                fields=["run", "churn_warning", "-value_at_risk", "-customer"],
                name="score_run_risk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}@{self.run_id}"


class NewChurnWarning(models.Model):
    """A customer one run warns about and the finished run before it did not: my day's
    "newly at churn risk" (``guanxi.activities.my_day``).

    It carries the branch and account manager the customer had in the run's snapshot, so a
    portfolio's few new warnings are read from an index on them instead of probing every
    customer of a team for a warning in two runs (27,000 index probes for a team lead at a
    million customers). Readers still check the customer's scope as it is now, so a
    customer handed over since the run shows to nobody until the next run.
    """

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="+", db_index=False)
    # No constraint, as for the run's scores: the run leaves out customers deleted meanwhile.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+", db_index=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    severity = models.PositiveSmallIntegerField(_("churn severity"), default=0)

    class Meta:
        verbose_name = _("new churn warning")
        verbose_name_plural = _("new churn warnings")
        # One index per shape of record scope: a portfolio or team, and a branch or all.
        indexes = [
            models.Index(fields=["run", "owner", "-severity"], name="newwarning_owner"),
            models.Index(fields=["run", "branch", "-severity"], name="newwarning_branch"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}@{self.run_id}"


class ScopeCharts(models.Model):
    """The dashboard's charts of one branch's or one account manager's customers in one run
    (the run's snapshot says whose they were), with their pyramid migration since the run
    before: a branch manager's or account manager's dashboard reads its row instead of
    every score of its customers (a branch of 100,000 customers took 2 s at a million).

    Exactly one of ``branch`` and ``owner`` is set. Team leads' and other scopes' charts are
    computed when the page is shown.
    """

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="+", db_index=False)
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    charts = models.JSONField(_("charts"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("charts of a branch or account manager")
        verbose_name_plural = _("charts of branches and account managers")
        indexes = [
            models.Index(fields=["run", "branch"], name="scopecharts_branch"),
            models.Index(fields=["run", "owner"], name="scopecharts_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(branch__isnull=True, owner__isnull=False)
                | models.Q(branch__isnull=False, owner__isnull=True),
                name="scopecharts_branch_or_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.branch_id or ''}/{self.owner_id or ''}@{self.run_id}"


class CrossSellSuggestion(models.Model):
    """A product a run suggests offering a customer, best first."""

    # Suggestions are read by id and by (customer, run), and an older run's are deleted in
    # one pass over the table: no key needs an index of its own.
    run = run_row_key(AnalysisRun, "suggestions")
    customer = run_row_key(Customer)  # suggestion_customer_run starts with it
    rank = models.PositiveSmallIntegerField(_("rank"))
    product = run_row_key(Product)
    score = models.FloatField(_("score"))
    # English, as runs before reason_data wrote it (later runs leave it empty); shown only
    # where reason_data is null.
    reason = models.TextField(_("reason"), blank=True)
    # The reason as data, worded in the viewer's language: {"code": "co_held" | "popular",
    # "held": the held product's label or null, "share": 0..1} (analytics.cross_sell).
    reason_data = models.JSONField(_("reason data"), null=True, blank=True)

    class Meta:
        verbose_name = _("cross-sell suggestion")
        verbose_name_plural = _("cross-sell suggestions")
        indexes = [models.Index(fields=["customer", "run"], name="suggestion_customer_run")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.product_id}"


class PeriodKind(models.TextChoices):
    """The calendar periods KPIs are computed for."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class KpiCell(models.Model):
    """KPI components of one period for the customers of one branch and account manager.

    Counts and sums only (``guanxi.analytics.kpis.period_kpi_components``): the cells of a
    viewer's scope are added up and divided when a page is shown. A customer belongs to the
    cell of their branch and account manager when the run was made.
    """

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period = models.DateField(_("period start"))
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+", db_index=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    active_customers = models.PositiveIntegerField(default=0)
    new_customers = models.PositiveIntegerField(default=0)
    retained_customers = models.PositiveIntegerField(default=0)
    revenue = models.FloatField(default=0.0)
    profit = models.FloatField(default=0.0)
    products_held = models.PositiveIntegerField(null=True, blank=True)
    cross_sold = models.PositiveIntegerField(null=True, blank=True)
    referred_customers = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("KPI cell")
        verbose_name_plural = _("KPI cells")
        # One index per shape of scope: the company and a branch, and a portfolio.
        indexes = [
            models.Index(fields=["run", "period_kind", "branch", "period"], name="kpicell_branch"),
            models.Index(fields=["run", "period_kind", "owner", "period"], name="kpicell_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period} {self.branch_id}/{self.owner_id}@{self.run_id}"


class RunCell(models.Model):
    """What one run found about the customers of one branch, account manager, value tier and
    pyramid level: how many it scored and warned, and their scores' sum (for the trends).

    Rows without a branch are the whole company's per value tier and pyramid level: a
    company-wide viewer reads those few instead of summing every account manager's rows of
    every kept run (no record scope but "all" reaches a row without branch and owner).
    """

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    value_tier = models.CharField(_("value tier"), max_length=16, blank=True)
    pyramid_level = models.CharField(_("pyramid level"), max_length=16, blank=True)
    customers = models.PositiveIntegerField(default=0)
    churn_warnings = models.PositiveIntegerField(default=0)
    churn_calls = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0.0)
    scored = models.PositiveIntegerField(default=0)  # customers with a score (the mean's count)

    class Meta:
        verbose_name = _("run cell")
        verbose_name_plural = _("run cells")
        indexes = [
            models.Index(fields=["branch", "run"], name="runcell_branch"),
            models.Index(fields=["owner", "run"], name="runcell_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}/{self.owner_id}@{self.run_id}"
