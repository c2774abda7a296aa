"""``guanxi clv`` command: fit a CLV model on a transaction file and print its parameters.

Wire it into a top-level parser with ``add_clv_parser(subparsers)`` and call
``args.clv_handler(args)``; or run ``main(["fit", FILE, ...])`` directly. Problems with the
input file exit with status 2 and a one-line message, never a traceback.

The command reads and summarises the file with DuckDB alone (``file_summary``): Ibis and
pandas are not imported, which halves the start-up of a command whose fit takes milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from guanxi.analytics.clv.base import ConvergenceError, TransactionModel
from guanxi.analytics.clv.bgnbd import BetaGeoFitter
from guanxi.analytics.clv.file_summary import read_fit_summary
from guanxi.analytics.clv.gammagamma import GammaGammaFitter
from guanxi.analytics.clv.mbgnbd import ModifiedBetaGeoFitter
from guanxi.analytics.clv.paretonbd import ParetoNBDFitter
from guanxi.analytics.input_file import InputError
from guanxi.analytics.messages import _

MODELS: dict[str, type[TransactionModel] | type[GammaGammaFitter]] = {
    "bgnbd": BetaGeoFitter,
    "paretonbd": ParetoNBDFitter,
    "mbgnbd": ModifiedBetaGeoFitter,
    "gammagamma": GammaGammaFitter,
}
EXIT_BAD_INPUT = 2
TIME_UNITS = ("day", "week")

__all__ = ["InputError", "add_clv_parser", "handle_fit", "main"]


def add_clv_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``clv`` command (with its ``fit`` sub-command) to a parent's subparsers."""
    clv = subparsers.add_parser("clv", help=_("customer lifetime value models"))
    _add_commands(clv)
    return clv


def _add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="clv_command", required=True)
    fit = commands.add_parser("fit", help=_("fit a model on a transaction file (CSV or Parquet)"))
    fit.add_argument("file", type=Path, help=_("CSV or Parquet file with a header row"))
    fit.add_argument("--model", choices=sorted(MODELS), default="bgnbd")
    fit.add_argument("--customer-col", required=True)
    fit.add_argument("--date-col", required=True)
    fit.add_argument("--amount-col", help=_("purchase value column (needed for gammagamma)"))
    fit.add_argument("--date-format", help=_("strptime format of the dates, e.g. %%Y%%m%%d"))
    fit.add_argument("--sep", default="auto", help=_("CSV separator, or 'auto' to detect it"))
    fit.add_argument("--calibration-end", required=True, help=_("last day counted, YYYY-MM-DD"))
    fit.add_argument("--time-unit", choices=TIME_UNITS, default="week")
    fit.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    fit.set_defaults(clv_handler=handle_fit)


def main(argv: list[str]) -> int:
    """Run ``guanxi clv`` with ``argv`` (e.g. ``["fit", "tx.csv", ...]``); return the exit code."""
    parser = argparse.ArgumentParser(prog="guanxi clv", description=_(__doc__.splitlines()[0]))
    _add_commands(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its usage message already
        return int(exc.code or 0)
    return args.clv_handler(args)


def handle_fit(args: argparse.Namespace) -> int:
    """Fit the chosen model and print it; exit code 2 with a message on bad input."""
    try:
        result = _fit(args)
    except ValueError as exc:  # InputError and the library's own input checks
        print(_("guanxi clv fit: error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ConvergenceError as exc:
        print(_("guanxi clv fit: error: {message}").format(message=exc), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result))
    else:
        params = ", ".join(f"{k}={v:.4g}" for k, v in result["params"].items())
        wording = _("{model}: {params}; log-likelihood {log_likelihood:.1f} over {n} customers")
        print(
            wording.format(
                model=result["model"],
                params=params,
                log_likelihood=result["log_likelihood"],
                n=result["n_customers"],
            )
        )
    return 0


def _fit(args: argparse.Namespace) -> dict[str, Any]:
    if args.model == "gammagamma" and not args.amount_col:
        raise InputError(_("--amount-col is needed for the gammagamma model"))
    calibration_end = _parse_calibration_end(args.calibration_end)
    summary = read_fit_summary(
        args.file,
        customer_col=args.customer_col,
        date_col=args.date_col,
        amount_col=args.amount_col,
        calibration_end=calibration_end,
        time_unit=args.time_unit,
        date_format=args.date_format,
        sep=None if args.sep == "auto" else args.sep,
    )
    model = MODELS[args.model]()
    if isinstance(model, GammaGammaFitter):
        repeat = summary.frequency > 0
        if not repeat.any():
            raise InputError(_("no customer has a repeat purchase: gammagamma cannot be fitted"))
        model.fit(summary.frequency[repeat], summary.monetary_value[repeat])
    else:
        model.fit(summary.frequency, summary.recency, summary.T)
    return {
        "model": args.model,
        "params": model.params_,
        "log_likelihood": model.log_likelihood_,
        "n_customers": model.n_customers_,
    }


def _parse_calibration_end(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = _("--calibration-end {text!r} is not a date like 1997-09-30")
        raise InputError(message.format(text=text)) from None
