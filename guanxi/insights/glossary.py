"""What every analytics term means, in the viewer's language, as the run computed it.

The pages show a definition beside each score and term (a tooltip on its name): the numbers
in it (the CLV horizon, the tier shares, the value measure) come from the run's own kept
settings, so an old run is explained as it was computed.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.analytics.value import MONEY_MEASURES
from guanxi.customers.models import ValueTier
from guanxi.insights.models import AnalysisRun, CustomerScore
from guanxi.web.templatetags.guanxi_web import money_brief

MEASURE_NAMES = {
    "aum": gettext_lazy("AUM"),
    "profit_12m": gettext_lazy("profit over the last 12 months"),
    "revenue_12m": gettext_lazy("revenue over the last 12 months"),
    "total_revenue": gettext_lazy("revenue to date"),
    "monthly_spend": gettext_lazy("monthly spend"),
    "tenure_months": gettext_lazy("months as a customer"),
    "clv": gettext_lazy("customer lifetime value"),
    "score": gettext_lazy("score"),
}
"""How a sentence names each value measure."""


def run_measure(run: AnalysisRun) -> str:
    """The value measure the run used (revenue over 12 months before value profiles)."""
    value = run.parameters.get("analysis", {}).get("value") or {}
    return value.get("measure", "revenue_12m")


def tier_measure(run: AnalysisRun) -> str:
    """The measure whose percentiles set the run's value tiers."""
    measure = run.parameters.get("write_back", {}).get("tier_measure", "clv")
    return run_measure(run) if measure == "value" else measure


def measure_name(code: str) -> str:
    return str(MEASURE_NAMES.get(code, code))


def measure_amount(code: str, value: float | None) -> str:
    """A measure's value as a reader expects it: money in 万/M, months as a count."""
    if value is None:
        return "—"
    if code in MONEY_MEASURES or code == "total_revenue":
        return money_brief(value)
    if code == "tenure_months":
        return _("%(n)d months") % {"n": int(value)}
    return f"{value:.1f}"


def tier_shares(run: AnalysisRun) -> list[tuple[str, float, float]]:
    """(tier, from, to) as shares of customers, best first: gold from 0.05 to 0.20."""
    tiers = run.parameters.get("write_back", {}).get("value_tiers") or []
    bands, start = [], 0.0
    for tier, share in tiers:
        bands.append((str(tier), start, start + float(share)))
        start += float(share)
    return bands


def value_standing(score: CustomerScore, run: AnalysisRun) -> str:
    """Which measure and cut-off put the customer in their tier, in words: "Gold: AUM
    ¥1.20M, top 12% of the company, top 9% of the branch (Gold is the top 5%–20% by AUM)".

    Built clause by clause, each a whole translatable sentence part, so that Chinese can
    order and punctuate it its own way.
    """
    measure = tier_measure(run)
    tier = str(ValueTier(score.value_tier).label) if score.value_tier else ""
    band = next((b for b in tier_shares(run) if b[0] == score.value_tier), None)
    text = _("%(tier)s: %(measure)s %(amount)s") % {
        "tier": tier,
        "measure": measure_name(measure),
        "amount": measure_amount(measure, _measure_value(score, measure, run)),
    }
    if score.value_share is not None and measure == run_measure(run):
        shares = [("company", score.value_share), ("branch", score.value_share_branch)]
        for where, share in shares:
            if share is None:
                continue
            clause = (
                _("%(text)s, top %(share)s of the company")
                if where == "company"
                else _("%(text)s, top %(share)s of the branch")
            )
            text = clause % {"text": text, "share": _percent(share)}
    if band:
        return _("%(text)s (%(tier)s is the top %(start)s–%(end)s by %(measure)s)") % {
            "text": text,
            "tier": tier,
            "start": _percent(band[1]),
            "end": _percent(band[2]),
            "measure": measure_name(measure),
        }
    return _("%(text)s (standard: outside the tiers' shares, or no value)") % {"text": text}


def _measure_value(score: CustomerScore, measure: str, run: AnalysisRun) -> float | None:
    if measure == run_measure(run) and score.value is not None:
        return score.value
    value = getattr(score, measure, None)
    return float(value) if value is not None else None


def _percent(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 else f"{share:.1%}"


def definitions(run: AnalysisRun) -> dict[str, str]:
    """Each term's definition for the run, in the active language."""
    analysis = run.parameters.get("analysis", {})
    horizon = analysis.get("horizon_months", 12)
    measure = measure_name(run_measure(run))
    bands = tier_shares(run)
    tiers = " · ".join(
        _("%(tier)s the top %(start)s–%(end)s")
        % {"tier": ValueTier(t).label, "start": _percent(a), "end": _percent(b)}
        for t, a, b in bands
    )
    return {
        "score": _(
            "Score 0–100: a weighted mix of %(measure)s (40%%), revenue over the last 12 "
            "months (30%%), number of purchases (15%%) and days since the last one (15%%), each "
            "as a percentile among all customers."
        )
        % {"measure": measure},
        "rfm": _(
            "RFM: recency, frequency and monetary value of the purchases, each scored 1–5 "
            "among all customers (5 = best); the segment names the combination."
        ),
        "p_alive": _(
            "P(alive): the probability that the customer still buys from us, from the purchase "
            "model fitted to every customer's history (a one-time buyer can have left too)."
        ),
        "clv": _(
            "Customer lifetime value: the discounted value of the purchases expected over "
            "the next %(months)d months, from the purchase and spend models."
        )
        % {"months": horizon},
        "expected_purchases": _(
            "Expected purchases over the next %(months)d months, from the purchase model."
        )
        % {"months": horizon},
        "pyramid": _(
            "Pyramid level: value (the top 20%% of active customers by %(measure)s are high "
            "value) crossed with loyalty (frequency, recency, tenure and products held, cut at "
            "the median): A high/high, B high value/low loyalty, C low value/high loyalty, D "
            "low/low; inactive: an account but no purchase in 12 months."
        )
        % {"measure": measure},
        "value_tier": _("Value tier by %(measure)s: %(tiers)s; the rest are standard.")
        % {"measure": measure_name(tier_measure(run)), "tiers": tiers},
        "aum": _(
            "AUM, assets under management: the customer's deposit and wealth product balances "
            "today; loans are owed, not owned, and not counted."
        ),
        "profit": _(
            "Profit over the last 12 months: the margin on transactions and balances less the "
            "cost to serve (each transaction's channel cost and each product's yearly "
            "servicing cost)."
        ),
    }
