"""The bookkeeping of one run: progress steps, bilingual warnings, timings and the
temporary backend tables it creates and drops."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import ibis.expr.types as ir
import pyarrow as pa

_Result = TypeVar("_Result")

STEPS: dict[str, tuple[str, str]] = {
    "validate": ("Checking the input", "检查输入数据"),
    "summary": ("Summarising customers", "汇总客户数据"),
    "value": ("Measuring value and profit", "计算客户价值与利润"),
    "models": ("Fitting CLV models", "拟合客户终身价值模型"),
    "segments": ("RFM segments and pyramid", "RFM 分群与客户金字塔"),
    "churn_model": ("Churn model", "流失预测模型"),
    "churn": ("Churn warnings", "流失预警"),
    "scoring": ("Scoring and ranking", "客户评分与排名"),
    "assemble": ("Assembling the results", "汇总分析结果"),
}
"""Step code -> (English, Chinese) label, in the order :func:`analyze` runs them; the
``progress`` callback receives the code at the start of each step."""

WARNINGS: dict[str, tuple[str, str]] = {
    "TOO_FEW_CUSTOMERS": (
        "Only {n} customers (at least {min} needed): CLV and P(alive) are not computed.",
        "仅有 {n} 位客户(至少需要 {min} 位):未计算客户终身价值与活跃概率。",
    ),
    "NO_REPEAT_PURCHASES": (
        "No customer has a repeat purchase: the CLV model cannot be fitted, so CLV and "
        "P(alive) are empty.",
        "没有任何客户重复购买:无法拟合客户终身价值模型,终身价值与活跃概率为空。",
    ),
    "MODEL_FAILED": (
        "The {model} model could not be fitted ({detail}): CLV and P(alive) are empty.",
        "{model} 模型拟合失败({detail}):终身价值与活跃概率为空。",
    ),
    "MODEL_PENALIZED": (
        "The {model} model could not be fitted as is ({detail}); it was refitted with "
        "penalizer_coef={penalizer}.",
        "{model} 模型无法直接拟合({detail}),已改用 penalizer_coef={penalizer} 重新拟合。",
    ),
    "SPEND_MODEL_FALLBACK": (
        "Gamma-Gamma spend model not used ({detail}): expected spend is each customer's "
        "own mean repeat spend (one-time buyers: the mean over repeat customers).",
        "未使用 Gamma-Gamma 消费模型({detail}):预期单次消费取客户自身的平均复购金额"
        "(仅购买一次的客户取复购客户的平均值)。",
    ),
    "CHURN_MODEL_FAILED": (
        "The churn model could not be trained ({detail}): value at risk uses 1 - P(alive).",
        "流失预测模型训练失败({detail}):风险价值使用 1 - 活跃概率。",
    ),
    "CHURN_MODEL_WEAK": (
        "The churn model's validation ROC AUC {auc} is not above {floor}: value at risk "
        "uses 1 - P(alive).",
        "流失预测模型验证 ROC AUC 为 {auc},未高于 {floor}:风险价值使用 1 - 活跃概率。",
    ),
    "FUTURE_ROWS": (
        "{n} transactions dated after {as_of} were left out.",
        "{n} 笔交易日期晚于 {as_of},已排除。",
    ),
    "DROPPED_ROWS": (
        "{n} transactions with a missing customer, date or amount were left out.",
        "{n} 笔交易缺少客户、日期或金额,已排除。",
    ),
}
"""Warning code -> (English, Chinese) ``str.format`` templates of ``overview["warnings"]``."""


class Run:
    """Timings, warnings and the temporary tables of one run."""

    def __init__(self, table: ir.Table, progress: Callable[[str], None] | None) -> None:
        self.con = table.get_backend()
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.warnings: list[dict[str, str]] = []
        self._scratch: list[str] = []

    @contextmanager
    def step(self, code: str) -> Iterator[None]:
        """Time one step and announce it to the progress callback."""
        if self.progress is not None:
            self.progress(code)
        began = time.perf_counter()
        yield
        self.timings[code] = round(time.perf_counter() - began, 3)

    def in_background(
        self, code: str, pool: ThreadPoolExecutor, work: Callable[..., _Result], *args: Any
    ) -> Future[_Result]:
        """Start step ``code`` in ``pool``; its time is measured in the worker thread."""
        if self.progress is not None:
            self.progress(code)

        def timed() -> _Result:
            began = time.perf_counter()
            try:
                return work(*args)
            finally:
                self.timings[code] = round(time.perf_counter() - began, 3)

        return pool.submit(timed)

    def warn(self, code: str, **fields: Any) -> None:
        """Record a warning rendered in both languages."""
        en, zh = WARNINGS[code]
        self.warnings.append({"code": code, "en": en.format(**fields), "zh": zh.format(**fields)})

    def materialise(self, obj: ir.Table | pa.Table) -> ir.Table:
        """Store an expression's result (or an Arrow table) as a temporary backend table.

        Later steps read it many times; without this the backend would recompute the whole
        expression (and its scan of the transaction log) for every one of them.
        """
        name = f"_guanxi_{uuid.uuid4().hex}"
        self._scratch.append(name)
        return self.con.create_table(name, obj, temp=True)

    def release(self, table: ir.Table) -> None:
        """Drop one temporary table early, returning its memory to the backend."""
        name = table.get_name().rsplit(".", 1)[-1]  # DuckDB qualifies it: temp.main.<name>
        self.con.drop_table(name, force=True)
        self._scratch.remove(name)

    def drop_scratch(self) -> None:
        """Drop the run's temporary tables."""
        for name in self._scratch:
            self.con.drop_table(name, force=True)
        self._scratch.clear()
