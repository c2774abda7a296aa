"""``guanxi churn`` command: train a churn model on a customer file, then score files with it.

::

    guanxi churn train FILE --target COL --id COL --model-out PATH [--time-col COL] [--json]
    guanxi churn score MODEL FILE --out CSV [--reasons]

FILE is CSV (comma-separated, header row) or Parquet (``.parquet``/``.pq``). Column names
match exactly, or case-insensitively when unambiguous: the Telco file spells its id column
``customerid``, and ``--id customerID`` finds it. ``score`` writes the id column (named as in
the scored file), ``churn_probability`` and, with ``--reasons``, ``reason_1..3``. Bad input
exits with status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from guanxi.analytics.churn import ChurnModel, load_model, resolve_column
from guanxi.analytics.messages import _

EXIT_BAD_INPUT = 2
N_REASONS = 3


def main(argv: list[str]) -> int:
    """Run ``guanxi churn`` with ``argv`` (e.g. ``["train", "f.csv", ...]``); return its exit code.

    Bad input gives exit code 2 and a one-line message on stderr.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its usage message already
        return int(exc.code or 0)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (ValueError, TypeError, OSError) as exc:  # the library's and our input checks
        message = " ".join(str(exc).split())  # one line, whatever the library said
        wording = _("guanxi churn {command}: error: {message}")
        print(wording.format(command=args.command, message=message), file=sys.stderr)
        return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guanxi churn", description=_(__doc__.splitlines()[0]))
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help=_("train and validate a model on a customer file"))
    train.add_argument("file", type=Path, help=_("CSV or Parquet file with a header row"))
    train.add_argument("--target", required=True, help=_("churn column (Yes/No, 1/0, True/False)"))
    train.add_argument("--id", required=True, dest="id_col", help=_("customer id column"))
    train.add_argument("--model-out", required=True, type=Path, help=_("model file to write"))
    train.add_argument("--time-col", help=_("time/cohort column: validate on the latest periods"))
    train.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    train.set_defaults(handler=handle_train)

    score = commands.add_parser("score", help=_("score a customer file with a trained model"))
    score.add_argument("model", type=Path, help=_("model file written by 'train'"))
    score.add_argument("file", type=Path, help=_("CSV or Parquet file with a header row"))
    score.add_argument("--out", required=True, type=Path, help=_("CSV file to write"))
    score.add_argument("--reasons", action="store_true", help=_("add the top 3 reasons as text"))
    score.set_defaults(handler=handle_score)
    return parser


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file; ``ValueError`` with a one-line message if it cannot be used.

    CSV cells are read as text so that ids keep their leading zeros; the model decides which
    columns are numbers.
    """
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype=str)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if frame.empty:
        raise ValueError(f"{path} has no rows")
    return frame


def handle_train(args: argparse.Namespace) -> int:
    """Train, validate and save a model; print the validation metrics."""
    frame = read_table(args.file)
    where = args.file.name
    target = resolve_column(frame.columns, args.target, what=where)
    id_col = resolve_column(frame.columns, args.id_col, what=where)
    time_col = resolve_column(frame.columns, args.time_col, what=where) if args.time_col else None
    model = ChurnModel(id_col=id_col, time_col=time_col)
    model.fit(frame.drop(columns=[target]), frame[target])
    model.save(args.model_out)
    result = _train_result(model, args, target, len(frame))
    print(json.dumps(result, default=str) if args.json else _train_text(result))
    return 0


def _train_result(
    model: ChurnModel, args: argparse.Namespace, target: str, rows: int
) -> dict[str, object]:
    validation = model.validation_.to_dict() if model.validation_ else None
    return {
        "model_path": str(args.model_out),
        "rows": rows,
        "target": target,
        "positive_label": model.classes_[1],
        "id_col": model.id_col,
        "time_col": model.time_col,
        "features": model.feature_names_,
        "excluded": model.excluded_,
        "validation": validation,
    }


def _train_text(result: dict) -> str:
    v = result["validation"]
    validation = _(
        "validation ({method}, {n} customers, churn rate {rate:.1%}): ROC AUC {roc:.3f}, "
        "PR AUC {pr:.3f}, top-decile lift {lift:.2f}"
    ).format(
        method=v["method"].replace("_", " "),
        n=v["n_valid"],
        rate=v["base_rate"],
        roc=v["roc_auc"],
        pr=v["pr_auc"],
        lift=v["top_decile_lift"],
    )
    saved = _("model on {features} features from {rows} rows saved to {path}").format(
        features=len(result["features"]), rows=result["rows"], path=result["model_path"]
    )
    return f"{validation}\n{saved}"


def handle_score(args: argparse.Namespace) -> int:
    """Score a file with a saved model and write the id, probability and optional reasons."""
    model = load_model(args.model)
    if model.id_col is None:
        message = _("{model} was trained without an id column; retrain it with --id")
        raise ValueError(message.format(model=args.model))
    frame = read_table(args.file)
    id_col = resolve_column(frame.columns, model.id_col, what=args.file.name)
    out = pd.DataFrame(
        {id_col: frame[id_col], "churn_probability": model.predict_proba(frame)[:, 1]}
    )
    if args.reasons:
        reasons = model.reasons(frame, k=N_REASONS)
        for i in range(1, N_REASONS + 1):
            out[f"reason_{i}"] = reasons.get(f"reason_{i}", "")
    out.to_csv(args.out, index=False)
    print(_("scored {n} customers into {out}").format(n=len(out), out=args.out))
    return 0
