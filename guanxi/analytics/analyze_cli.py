"""``guanxi analyze-file`` command: the whole customer-base analysis of one transaction file.

::

    guanxi analyze-file FILE --customer-col C --date-col D --amount-col A --out DIR
        [--date-format %Y%m%d] [--as-of YYYY-MM-DD] [--lang en|zh]
        [--model mbgnbd|bgnbd|paretonbd] [--time-unit week|day] [--sep ;]
        [--threads N] [--memory-limit 4GB]

FILE is CSV (header row) or Parquet, read by DuckDB. DIR receives ``customers.parquet`` and
``customers.csv`` (one row per customer with every score), ``report.html`` (charts, in
``--lang``) and ``overview.json``. A progress bar on stderr follows the steps. Bad input
exits with status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.analytics.messages import _, environment_language
from guanxi.analytics.pipeline import CLV_MODELS, STEPS, AnalysisConfig, AnalysisResult, analyze
from guanxi.analytics.reader import InputError, read_transactions
from guanxi.analytics.report import write_report

__all__ = ["main"]

EXIT_BAD_INPUT = 2

# The CLI's own steps around the pipeline's, with their labels in both languages.
_READ = ("read", ("Reading the file", "读取文件"))
_WRITE = ("write", ("Writing the results", "写出结果"))
_LABELS = dict([_READ, *STEPS.items(), _WRITE])

_DONE = {
    "en": "{n:,} customers analysed; results in {out}",
    "zh": "已分析 {n:,} 位客户,结果保存在 {out}",
}


def main(argv: list[str]) -> int:
    """Run ``guanxi analyze-file`` with ``argv`` (``[FILE, "--customer-col", ...]``).

    Returns 0 on success, 2 on bad input or usage (with a one-line message on stderr).
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its usage message already
        return int(exc.code or 0)
    try:
        n_customers = _run(args)
    except (ValueError, OSError) as exc:  # InputError, the library's input checks, I/O
        message = " ".join(str(exc).split())  # one line, whatever the library said
        print(_("guanxi analyze-file: error: {message}").format(message=message), file=sys.stderr)
        return EXIT_BAD_INPUT
    done = _DONE[args.lang].format(n=n_customers, out=args.out)
    print(done, file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    description = _(__doc__.splitlines()[0])
    parser = argparse.ArgumentParser(prog="guanxi analyze-file", description=description)
    parser.add_argument("file", type=Path, help=_("CSV or Parquet transaction file, header row"))
    parser.add_argument("--customer-col", required=True, help=_("customer id column"))
    parser.add_argument("--date-col", required=True, help=_("transaction date or time column"))
    parser.add_argument("--amount-col", required=True, help=_("amount column (negative = return)"))
    parser.add_argument("--date-format", help=_("strptime format of text dates, e.g. %%Y%%m%%d"))
    parser.add_argument("--as-of", help=_("observation end YYYY-MM-DD (default: latest date)"))
    parser.add_argument(
        "--lang",
        choices=("en", "zh"),
        default=environment_language(),
        help=_("report language (default: the environment's)"),
    )
    parser.add_argument("--model", choices=sorted(CLV_MODELS), default=AnalysisConfig.clv_model)
    parser.add_argument("--time-unit", choices=("week", "day"), default="week")
    parser.add_argument("--sep", help=_("CSV separator (default: detected)"))
    parser.add_argument("--threads", type=int, help=_("DuckDB threads (default: all cores)"))
    parser.add_argument("--memory-limit", help=_("DuckDB memory limit, e.g. 4GB"))
    parser.add_argument("--out", required=True, type=Path, help=_("output directory"))
    return parser


def _run(args: argparse.Namespace) -> int:
    config = AnalysisConfig(
        as_of=_parse_as_of(args.as_of), time_unit=args.time_unit, clv_model=args.model
    )
    _import_model_library()
    with _progress(args.lang) as step:
        step(_READ[0])
        con = ibis.duckdb.connect(**_duckdb_options(args))
        transactions = read_transactions(
            args.file,
            con,
            customer_col=args.customer_col,
            date_col=args.date_col,
            amount_col=args.amount_col,
            date_format=args.date_format,
            sep=args.sep,
        )
        result = analyze(
            transactions,
            customer_col=args.customer_col,
            time_col=args.date_col,
            amount_col=args.amount_col,
            config=config,
            progress=step,
        )
        step(_WRITE[0])
        _write(result, args.out, args.lang)
    return result.overview["n_customers"]


def _import_model_library() -> None:
    """Import scikit-learn (a second and a half) in a thread while the backend reads and
    checks the file: the churn model step, the first to need it, then finds it imported.
    A failed import is left to that step, which reports it."""

    def load() -> None:
        with suppress(ImportError):
            for name in ("guanxi.analytics.churn.model", "guanxi.analytics.churn.validation"):
                importlib.import_module(name)

    threading.Thread(target=load, name="import-model-library").start()


def _parse_as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = _("--as-of {text!r} is not a date like 2024-12-31")
        raise InputError(message.format(text=text)) from None


def _duckdb_options(args: argparse.Namespace) -> dict[str, object]:
    options: dict[str, object] = {}
    if args.threads is not None:
        if args.threads < 1:
            raise InputError(_("--threads must be >= 1"))
        options["threads"] = args.threads
    if args.memory_limit:
        options["memory_limit"] = args.memory_limit
    return options


@contextmanager
def _progress(lang: str) -> Iterator[Callable[[str], None]]:
    """A progress bar over the steps; yields the callback that advances it."""
    labels = {code: pair[1 if lang == "zh" else 0] for code, pair in _LABELS.items()}
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(labels[_READ[0]], total=len(labels))
    started = False

    def step(code: str) -> None:
        nonlocal started
        if started:  # a new step means the previous one has finished
            bar.advance(task)
        started = True
        bar.update(task, description=labels[code])

    with bar:
        yield step
        bar.advance(task)


def _write(result: AnalysisResult, out: Path, lang: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    # Arrow writes the two customer files in C++ without the GIL: side by side with each
    # other and with the report (a million customers: some seconds each).
    with ThreadPoolExecutor(max_workers=2) as pool:
        files = [
            pool.submit(pq.write_table, result.customers, out / "customers.parquet"),
            pool.submit(_write_csv, result.customers, out / "customers.csv"),
        ]
        write_report(result, out / "report.html", lang)  # type: ignore[arg-type]
        overview = json.dumps(result.overview, ensure_ascii=False, indent=2)
        (out / "overview.json").write_text(overview + "\n", encoding="utf-8")
        for written in files:
            written.result()


_COPY_CHUNK = 16 << 20


def _write_csv(table: pa.Table, path: Path) -> None:
    """The customers as CSV, its two halves formatted side by side: Arrow formats a CSV on
    one core, and a million customers' numbers took 2.5 s. The second half goes to a file
    of its own, appended after the first (held in memory, its growing buffer was copied
    over and over)."""
    ready = _csv_ready(table)
    half = (ready.num_rows + 1) // 2
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        second = Path(scratch) / path.name
        options = pa_csv.WriteOptions(include_header=False)
        with ThreadPoolExecutor(max_workers=1) as pool:
            later = pool.submit(pa_csv.write_csv, ready.slice(half), second, options)
            pa_csv.write_csv(ready.slice(0, half), path)
            later.result()
        with path.open("ab") as out, second.open("rb") as rest:
            shutil.copyfileobj(rest, out, _COPY_CHUNK)


def _csv_ready(table: pa.Table) -> pa.Table:
    """CSV has no lists: the reason codes become one ``;``-separated text cell, the churn
    model's reasons one JSON text cell."""
    codes = table["churn_reason_codes"]
    joined = pc.binary_join(codes, ";")
    index = table.schema.get_field_index("churn_reason_codes")
    table = table.set_column(index, "churn_reason_codes", joined)
    reasons = table["churn_model_reasons"].combine_chunks()
    explained = reasons.is_valid()  # few are explained: a JSON text per customer took seconds
    texts = [json.dumps(r, ensure_ascii=False) for r in reasons.filter(explained).to_pylist()]
    cells = pc.replace_with_mask(
        pa.nulls(len(reasons), pa.string()), explained, pa.array(texts, pa.string())
    )
    index = table.schema.get_field_index("churn_model_reasons")
    return table.set_column(index, "churn_model_reasons", cells)


if __name__ == "__main__":  # ``python -m guanxi.analytics.analyze_cli``, used by the benchmark
    sys.exit(main(sys.argv[1:]))
