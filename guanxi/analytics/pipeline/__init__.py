"""The one customer-base analysis run: summary, CLV, RFM, pyramid, churn rules, scores.

:func:`analyze` is used by ``guanxi analyze`` and by the Django layer. It takes a transaction
log as an Ibis table and returns an :class:`AnalysisResult` of Arrow tables: one row per
customer with every score, plus the small aggregate tables the report plots.

Where the work runs: the group-bys over the transaction log, the window functions of RFM,
pyramid, churn rules and scoring all run in the table's backend (DuckDB by default). The
three used columns of the log (plus each row's calendar day) are copied once into a
temporary table, and the per-customer summary is materialised once: every later step reads
these instead of re-reading the source or re-aggregating the log. Only the summary's four
model columns are pulled into NumPy; the CLV models are fitted in a worker thread while the
backend computes the segments, and their outputs go back into the backend as a temporary
table. All temporary tables are dropped at the end of the run.

Customers: the purchasers of the log, plus customers that appear only in ``holdings`` or
``status`` (placed on the pyramid; their purchase, model and score columns are null).
Churn rule ``SPEND_DROP`` judges the last complete calendar month before ``as_of`` (the
as-of month itself when ``as_of`` is its last day).

CLV: the purchase model (MBG/NBD by default, BG/NBD or Pareto/NBD) is fitted on frequency,
recency and T in ``config.time_unit``; Gamma-Gamma on the repeat customers with positive
repeat spend. CLV is the expected purchases of each month of the horizon times the expected
spend per purchase, discounted monthly at the equivalent of ``config.annual_discount_rate``.

Fallbacks (each adds a warning, in English and Chinese, to ``overview["warnings"]``; never a
traceback and never a silent NaN):

* purchase model fails or predicts non-finite values (small or degenerate data): it is
  refitted once with ``config.retry_penalizer``;
* purchase model impossible -- fewer than ``config.min_model_customers`` customers, no
  customer with a repeat purchase, or both fits fail:
  ``p_alive``, ``expected_purchases``, ``expected_spend`` and ``clv`` are null and churn rule
  ``LOW_P_ALIVE`` does not fire;
* Gamma-Gamma impossible -- fewer than ``config.min_model_customers`` repeat customers with
  positive spend, the optimiser fails, or a fitted q <= 1 (spend so heavy-tailed that the
  model's mean is infinite): the expected spend per purchase is the customer's own mean repeat
  spend, or for one-time buyers the mean of those, and CLV is computed with it.

Modules: :mod:`.config` (settings and models), :mod:`.context` (steps, warnings, temporary
tables), :mod:`.prepare` (input checks and the tables the steps read), :mod:`.clv_fit` (the
CLV models), :mod:`.churn_step` (the churn model on store features), :mod:`.assemble` (the
result tables and overview), :mod:`.run` (:func:`analyze`).
"""

from guanxi.analytics.pipeline.assemble import AnalysisResult
from guanxi.analytics.pipeline.config import CLV_MODELS, DEFAULT_INDICATORS, AnalysisConfig
from guanxi.analytics.pipeline.context import STEPS, WARNINGS
from guanxi.analytics.pipeline.run import analyze

__all__ = [
    "CLV_MODELS",
    "DEFAULT_INDICATORS",
    "STEPS",
    "WARNINGS",
    "AnalysisConfig",
    "AnalysisResult",
    "analyze",
]
