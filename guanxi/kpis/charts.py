"""The dashboard's chart series, named in the active language, from the selector's figures."""

from typing import Any

from django.utils.translation import gettext as _

from guanxi.insights.kpi_selectors import money_units


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def chart_data(data: dict[str, Any]) -> dict[str, Any]:
    """Groups on one axis and a series per figure; the total's stage funnel per pipeline."""
    groups = data["groups"]
    rules = data["rules"]
    total_stages = data["total"]["stages"]
    return {
        "groups": [str(g["name"]) for g in groups],
        "names": {
            "coverage": _("Top-tier coverage"),
            "median": _("Median (hours)"),
            "p90": _("90th percentile (hours)"),
            "win_rate": _("Win rate"),
            "revenue_new": _("From new customers"),
            "revenue_other": _("From other customers"),
            "entered": _("Entered"),
            "conversion": _("Moved further"),
        },
        "contacts": [
            {
                "name": _("%(tier)s: done of required") % {"tier": rule["label"]},
                "data": [_float(g["contacts"]["tiers"][n]["rate"]) for g in groups],
            }
            for n, rule in enumerate(rules)
        ],
        "coverage": [_float(g["contacts"]["coverage"]["rate"]) for g in groups],
        "median": [g["leads"]["median_hours"] for g in groups],
        "p90": [g["leads"]["p90_hours"] for g in groups],
        "win_rate": [_float(g["wins"]["win_rate"]) for g in groups],
        "revenue_new": [float(g["revenue"]["new_customer_revenue"]) for g in groups],
        "revenue_other": [
            float(g["revenue"]["revenue"] - g["revenue"]["new_customer_revenue"]) for g in groups
        ],
        "funnels": [
            {
                "name": pipeline["name"],
                "stages": [s["name"] for s in pipeline["stages"]],
                "entered": [
                    total_stages.get(str(s["id"]), {}).get("entered", 0) for s in pipeline["stages"]
                ],
                "conversion": [
                    _float(total_stages.get(str(s["id"]), {}).get("conversion"))
                    for s in pipeline["stages"]
                ],
            }
            for pipeline in data["pipelines"]
        ],
        **money_units(),
    }


def stage_table(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each pipeline with its stages in order and the total's figures of each."""
    empty = {"entered": 0, "advanced": 0, "conversion": None, "median_days": None}
    return [
        {
            "name": pipeline["name"],
            "stages": [
                stage | data["total"]["stages"].get(str(stage["id"]), empty)
                for stage in pipeline["stages"]
            ],
        }
        for pipeline in data["pipelines"]
    ]
