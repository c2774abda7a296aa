"""Reads of analysis results, always through the permission policy.

Aggregate charts of a viewer who sees every customer, one branch or their own portfolio
come precomputed from the run (``guanxi.insights.scope_charts``); a team lead's are computed
from the scores of their customers. Lists that name customers apply the record scope and
are audited like customer lists.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.analytics.pyramid import LEVEL_NAMES
from guanxi.analytics.rfm import SEGMENT_NAMES
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_get_for_user
from guanxi.insights import glossary
from guanxi.insights.charts import CHART_COLUMNS, PYRAMID_ORDER, build_charts
from guanxi.insights.churn_reasons import model_reasons
from guanxi.insights.cross_sell_reasons import suggestion_reason
from guanxi.insights.migration import NOT_SCORED, level_migration, previous_run
from guanxi.insights.models import AnalysisRun, CrossSellSuggestion, CustomerScore, RunStatus
from guanxi.insights.scope_charts import stored_charts

CHURN_LIST_SIZE = 50
_SEGMENT_NAMES = SEGMENT_NAMES


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def level_label(code: str) -> str:
    """A pyramid level's name in the active language (the analytics library names them)."""
    names = LEVEL_NAMES.get(code)
    return names[1 if _chinese() else 0] if names else code


def segment_label(code: str) -> str:
    """An RFM segment's name in the active language."""
    names = _SEGMENT_NAMES.get(code)
    return names[1 if _chinese() else 0] if names else code


def in_language(english: str, chinese: str) -> str:
    """Whichever of a text's two versions fits the active language."""
    return chinese if _chinese() else english


def churn_reason(score: CustomerScore) -> str:
    """The churn warning's reasons in the active language."""
    return in_language(score.churn_reason_en, score.churn_reason_zh)


def churn_list_help(run: AnalysisRun) -> dict[str, str]:
    """What value at risk and the call list mean, as the run computed them (its settings
    are kept with it), in the active language: the definitions the pages show."""
    write_back = run.parameters.get("write_back", {})
    priority = run.parameters.get("analysis", {}).get("churn_priority", {})
    measure = priority.get("value_col") or write_back.get("churn_value_measure", "revenue_12m")
    labels = {"measure": glossary.measure_name(measure)}
    if run.overview.get("churn_model", {}).get("probability_source") == "model":
        value_at_risk = _(
            "Value at risk: the churn model's probability that the customer makes no "
            "purchase in the next %(months)s months times their %(measure)s."
        ) % {**labels, "months": run.overview["churn_model"].get("horizon_months")}
    else:
        value_at_risk = (
            _(
                "Value at risk: the probability that the customer has stopped buying "
                "(1 − P(alive)) times their %(measure)s."
            )
            % labels
        )
    per_owner = write_back.get("churn_calls_per_owner")
    if per_owner:
        call_list = ngettext(
            "Call list: each account manager's %(n)d warned customer with the largest value "
            "at risk. Other warnings are lower-priority signals.",
            "Call list: each account manager's %(n)d warned customers with the largest value "
            "at risk. Other warnings are lower-priority signals.",
            per_owner,
        ) % {"n": per_owner}
    else:
        share = write_back.get("churn_list_share", 0.05)
        call_list = _(
            "Call list: the warned customers with the largest value at risk, at most "
            "%(share)s of all customers. Other warnings are lower-priority signals."
        ) % {"share": f"{share:.0%}"}
    return {"value_at_risk": value_at_risk, "call_list": call_list}


def churn_model_summary(run: AnalysisRun) -> dict | None:
    """The run's churn model validation and which probability ranked the call list, with
    one-line definitions in the active language; None for runs before the model."""
    info = run.overview.get("churn_model")
    if not info:
        return None
    used = info.get("probability_source") == "model"
    floor = info.get("auc_floor")
    if used:
        source = _(
            "The call list ranks by the churn model's probability: its validation ROC AUC "
            "is above the floor of %(floor)s."
        ) % {"floor": floor}
    elif "roc_auc" in info:
        source = _(
            "The call list ranks by 1 − P(alive): the churn model's validation ROC AUC is "
            "not above the floor of %(floor)s."
        ) % {"floor": floor}
    else:
        source = _("The call list ranks by 1 − P(alive): the churn model was not trained.")
    return {
        **info,
        "used": used,
        "source": source,
        "validation": _(
            "Validated by time: trained on the features of %(fit)s and the %(months)s months "
            "after, judged on the customers of %(valid)s by the %(months)s months after that."
        )
        % {
            "fit": info.get("fit_day", "—"),
            "valid": info.get("valid_day", "—"),
            "months": info.get("horizon_months", "—"),
        },
        "definitions": {
            "roc_auc": _(
                "ROC AUC: the chance that a customer who left is scored above one who stayed "
                "(0.5 = guessing, 1 = perfect)."
            ),
            "pr_auc": _(
                "PR AUC: the average precision over the ranking, to compare with the share "
                "who left."
            ),
            "lift": _(
                "Top-decile lift: how many times more often the tenth with the highest probability "
                "left than customers on average."
            ),
        },
    }


def _require_dashboard(viewer: policy.Viewer) -> None:
    if not policy.allows(viewer, "analytics.view"):
        raise PermissionDenied(_("Your role does not allow viewing analytics."))


def _scores_in_scope(viewer: policy.Viewer, run: AnalysisRun) -> QuerySet:
    scores = CustomerScore.objects.filter(run=run)
    if policy.sees_all_customers(viewer):
        # No "customer in every customer": SQLite then read the scores customer by customer
        # and sorted them, instead of reading a run's index in its order (1.9 s -> ms).
        return scores
    visible = policy.customer_scope(viewer, Customer.objects.all()).values("pk")
    return scores.filter(customer_id__in=visible)


def _charts_for(viewer: policy.Viewer, run: AnalysisRun) -> dict:
    """The run's charts of the viewer's customers, with their pyramid migration since the
    run before (None without one): kept by the run for the company, a branch and a
    portfolio, computed from the scores in scope for anyone else."""
    if policy.sees_all_customers(viewer):
        charts = run.charts
    else:
        charts = stored_charts(viewer, run) or _scoped_charts(viewer, run)
    if "pyramid_migration" not in charts:  # computed now, or a run from before it was kept
        previous = previous_run(run)
        migration = level_migration(_scores_in_scope(viewer, run), previous) if previous else None
        charts = {**charts, "pyramid_migration": migration}
    return charts


def _scoped_charts(viewer: policy.Viewer, run: AnalysisRun) -> dict:
    rows = list(_scores_in_scope(viewer, run).values_list(*CHART_COLUMNS))
    columns = list(zip(*rows, strict=True)) or [()] * len(CHART_COLUMNS)
    return build_charts(dict(zip(CHART_COLUMNS, columns, strict=True)))


def _labelled(charts: dict) -> dict:
    """Chart series with display names added for the active language (headline figures
    that a run from before they existed lacks are None)."""
    headlines = dict.fromkeys(("churn_warnings", "churn_calls", "gini", "top_share"))
    return {
        **headlines,
        **charts,
        "pyramid": [[level_label(code), n, code] for code, n in charts["pyramid"]],
        "segments": [
            [segment_label(code), n, revenue, code] for code, n, revenue in charts["segments"]
        ],
    }


def _warnings_in_scope(viewer: policy.Viewer, run: AnalysisRun, charts: dict, size: int):
    """The run's warnings of the viewer's customers, by the cheaper of two access paths.

    Probing each customer in scope for a warning costs a lookup per customer; reading the
    run's warnings in call-list order and checking each one's customer by key costs a
    lookup per warning read until ``size`` are found, about ``size`` divided by the scope's
    share of the warnings (``charts`` has the scope's counts). A branch of 100,000
    customers: 500 lookups instead of 100,000 (SQLite 340 -> 13 ms); a portfolio of 3,000
    customers holds too small a share of the warnings to find its first ones that way.
    """
    # As a list: SQLite reads a bare boolean column ("churn_warning") as no equality and
    # then cannot walk the (run, warning, call list, rank) index in its order.
    warnings = {"churn_warning__in": [True]}
    if policy.sees_all_customers(viewer):
        return CustomerScore.objects.filter(run=run, **warnings)
    warned, everyone = charts.get("churn_warnings"), run.counts.get("churn_warnings")
    if warned and everyone and size * everyone / warned < (charts.get("customers") or 0):
        customer = Customer.objects.filter(pk=OuterRef("customer_id"))
        visible = policy.customer_scope(viewer, customer)
        return CustomerScore.objects.filter(Exists(visible), run=run, **warnings)
    return _scores_in_scope(viewer, run).filter(**warnings)


def churn_list(
    viewer: policy.Viewer,
    run: AnalysisRun,
    context: RequestContext,
    charts: dict,
    size: int = CHURN_LIST_SIZE,
) -> list[dict]:
    """The run's churn warnings among the viewer's customers (whose counts ``charts``
    holds): the call list first, each part by value at risk (the churn rank); runs from
    before the call list by severity and CLV."""
    scores = (
        _warnings_in_scope(viewer, run, charts, size)
        .select_related("customer__branch", "customer__owner__profile")
        # The (run, warning, call list, rank) index's own order, so the first rows of the
        # index answer (with NULLS LAST, PostgreSQL sorted all 570,000 warnings of a run at
        # a million customers: 2.2 s). A run has a call list and ranks for every warning,
        # or neither, so where NULLs sort does not matter.
        .order_by(
            "-churn_priority",
            "churn_rank",
            "-churn_severity",
            F("clv").desc(nulls_last=True),
            "customer_id",
        )[:size]
    )
    rows = [
        {
            "customer_id": s.customer_id,
            "name": s.customer.name,
            "branch": s.customer.branch.name,
            "owner": _person_name(s.customer.owner),
            "severity": s.churn_severity,
            "reasons": churn_reason(s),
            "reason_codes": s.churn_reason_codes,
            "clv": s.clv,
            "p_alive": s.p_alive,
            "value_at_risk": s.value_at_risk,
            "on_call_list": bool(s.churn_priority),
            "pyramid_level": level_label(s.pyramid_level),
        }
        for s in scores
    ]
    if rows:
        ids = [r["customer_id"] for r in rows]
        record(viewer.user, AuditAction.READ, "customer", ids, ["name", "scores"], context)
    return rows


def _person_name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (profile and profile.display_name) or user.get_username()


def dashboard(viewer: policy.Viewer, context: RequestContext) -> dict:
    """Everything the analytics dashboard shows this viewer."""
    _require_dashboard(viewer)
    latest = AnalysisRun.objects.select_related("triggered_by").first()
    run = AnalysisRun.objects.latest_finished()
    data: dict[str, Any] = {
        "latest_run": latest,
        "run": run,
        "can_run": policy.allows(viewer, "analysis.run"),
        "can_see_dashboard": True,
        "can_see_kpis": policy.allows(viewer, "kpi.view"),
        "company_wide": policy.sees_all_customers(viewer),
        "charts": None,
        "churn": [],
    }
    if run is not None:
        charts = _charts_for(viewer, run)
        data["charts"] = _labelled(charts) if charts.get("pyramid") is not None else None
        data["churn"] = churn_list(viewer, run, context, charts)
        data["churn_help"] = churn_list_help(run)
        data["churn_model"] = churn_model_summary(run)
        data["migration"] = _migration_table(charts["pyramid_migration"])
    return data


def _migration_table(migration: dict | None) -> dict | None:
    """A pyramid migration as rows (level before) × columns (level now) of counts; None
    when there is no run before."""
    if migration is None:
        return None
    counts = {(a, b): n for a, b, n in migration["cells"]}
    before = list(dict.fromkeys(a for a, _b, _n in migration["cells"]))
    after = [level for level in PYRAMID_ORDER if any(b == level for _a, b in counts)]
    return {
        "previous_finished_at": migration["previous_finished_at"],
        "columns": [level_label(level) for level in after],
        "rows": [
            {
                "label": level_label(a) if a != NOT_SCORED else _("Not analysed before"),
                "cells": [{"n": counts.get((a, b), 0), "same": a == b} for b in after],
            }
            for a in before
        ],
    }


def list_runs(viewer: policy.Viewer, limit: int = 50) -> list[AnalysisRun]:
    """The newest runs (run metadata only: who may see the dashboard may see them)."""
    _require_dashboard(viewer)
    return list(AnalysisRun.objects.select_related("triggered_by")[:limit])


def latest_insight(customer_id: int) -> dict | None:
    """The newest finished run's findings about one customer, or None if it has none.

    Callers have already checked that the viewer may see the customer.
    """
    run = AnalysisRun.objects.latest_finished()
    if run is None:
        return None
    score = CustomerScore.objects.filter(run=run, customer_id=customer_id).first()
    if score is None:
        return None
    suggestions = CrossSellSuggestion.objects.filter(run=run, customer_id=customer_id)
    return {
        "run": run,
        "score": score,
        "pyramid_level": level_label(score.pyramid_level) if score.pyramid_level else "",
        "rfm_segment": segment_label(score.rfm_segment) if score.rfm_segment else "",
        "churn_reason": churn_reason(score),
        "churn_model_reasons": model_reasons(score.churn_model_reasons),
        "churn_help": churn_list_help(run),
        "value_standing": glossary.value_standing(score, run) if score.value_tier else "",
        "measures": _shown_measures(score, run),
        "terms": glossary.definitions(run),
        "suggestions": [
            {"product": s.product, "reason": suggestion_reason(s)}
            for s in suggestions.select_related("product").order_by("rank")
        ],
    }


def _shown_measures(score: CustomerScore, run: AnalysisRun) -> list[tuple[str, str]]:
    """(name, amount) of the measures the run's value profile shows, runs before value
    profiles none."""
    shown = (run.parameters.get("analysis", {}).get("value") or {}).get("shown") or []
    return [
        (glossary.measure_name(code), glossary.measure_amount(code, getattr(score, code, None)))
        for code in shown
    ]


def score_history(viewer: policy.Viewer, customer_id: int) -> list[CustomerScore]:
    """A visible customer's scores from every finished run, newest first.

    Raises ``Customer.DoesNotExist`` for a customer outside the viewer's scope.
    """
    customer = customer_get_for_user(viewer=viewer, customer_id=customer_id)
    return list(
        CustomerScore.objects.filter(customer=customer, run__status=RunStatus.FINISHED)
        .select_related("run")
        .order_by("-run__finished_at", "-run_id")
    )
