"""The customer list as a file: the rows the list shows, with its filters, masked alike.

``customer_export_for_user`` checks the request as the list does, refuses a list longer
than ``GUANXI_EXPORT_MAX_ROWS`` (before anything is read or audited), writes one audit
entry naming every customer exported (the ids go from query to audit table inside the
database, ``record_customer_set``), and returns the rows as an iterator read in chunks,
so that a CSV of a million customers streams with flat memory. Cells go through the audit
export's ``safe_cell``: nothing a spreadsheet would run as a formula.
"""

import csv
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.db.models.sql.constants import MULTI
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.selectors import FORMULA_STARTS, safe_cell
from guanxi.audit.services import RequestContext, record_customer_set
from guanxi.compiled_query import row_names
from guanxi.customers import list_analytics, list_query, selectors
from guanxi.customers.models import LifecycleStatus, ValueTier
from guanxi.read_ahead import read_ahead

EXPORT_CHUNK = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What an export holds of each customer: what the list page shows, personal data as masked.
EXPORTED_FIELDS = ["name", "phone", "email", "status", "value_tier", "branch", "owner"]
EXPORTED_FIELDS += ["lifetime_revenue", "last_purchase_at", "rfm_segment", "churn_warning"]
EXPORTED_FIELDS += ["churn_priority", "value_at_risk", "score"]


@dataclass(frozen=True)
class CustomerExport:
    """An export ready to be written: how many customers, and the rows (header first)."""

    count: int
    rows: Iterator[Sequence[str]]


def _headers() -> list[str]:
    return [
        _("Customer ID"),
        _("Name"),
        _("Phone number"),
        _("Email"),
        _("Lifecycle status"),
        _("Value tier"),
        _("Branch"),
        _("Account manager"),
        _("Lifetime revenue"),
        _("Last purchase"),
        _("RFM segment"),
        _("Churn warning"),
        _("On the call list"),
        _("Value at risk"),
        _("Score"),
    ]


def _labels() -> dict:
    # Looked up once per export, not per row: a million rows would spend seconds on gettext.
    return {
        "status": {k: str(v) for k, v in LifecycleStatus.choices},
        "value_tier": {k: str(v) for k, v in ValueTier.choices},
        "segment": dict(list_analytics.segment_choices()),
        "flag": {None: "", True: _("Yes"), False: _("No")},
        "days": _LocalDays(timezone.get_current_timezone()),
    }


# What a row of the export reads from the list query's columns, in this order.
_READ = (
    *("id", "name", "phone", "email", "status", "value_tier", "branch_id", "branch_name"),
    *("owner_id", "owner_name", "lifetime_revenue", "last_purchase_at", "rfm_segment"),
    *("churn_warning", "churn_priority", "value_at_risk", "score"),
)
# The day of the last purchase, where the database works it out (``_driver_rows``).
_SERVER_DAY = "last_purchase_day"


def _driver_rows(found: QuerySet) -> Iterator[list[tuple]]:
    """The list query's rows in chunks, each row its ``_READ`` columns (None for a score
    column of a list without analytics), as the database driver returns them.

    The SQL is the ORM's; only Django's converters are left out: a ``Decimal`` built and
    quantised per amount and a datetime parsed per date cost a third of an export's time,
    and ``_chunk_cells`` formats the driver's values the same way (see ``_LocalDays``).
    """
    # Only what the export writes is selected: the page's other columns cost a fifth.
    shown = row_names(found.query)
    selected = [name for name in _READ if name in shown]
    postgresql = connections[found.db].vendor == "postgresql"
    if postgresql:
        # The server gives the day of the last purchase in the reader's zone: Django's
        # loader parses each moment in Python, 4 s of a million rows' 7.7 s of fetching.
        zone = timezone.get_current_timezone()
        found = found.annotate(**{_SERVER_DAY: TruncDate("last_purchase_at", tzinfo=zone)})
        selected[selected.index("last_purchase_at")] = _SERVER_DAY
    query = found.values(*selected).query
    names = [("last_purchase_at" if n == _SERVER_DAY else n) for n in row_names(query)]
    padded = len(names)  # the None added to a row that lacks a column
    positions = [names.index(n) if n in names else padded for n in _READ]
    pick, pad = itemgetter(*positions), padded in positions
    # Read in a transaction of its own: one snapshot of the list, and on PostgreSQL a cursor
    # the server runs as it is read. Outside one, Django declares it WITH HOLD, which runs
    # the whole query, sorts and stores every row before the first comes (9 s at a million).
    with transaction.atomic(using=found.db):
        chunks = query.get_compiler(using=found.db).execute_sql(
            MULTI, chunked_fetch=True, chunk_size=EXPORT_CHUNK
        )
        if postgresql:
            chunks = read_ahead(chunks)
        # Closed before the transaction ends, even when the reader of the export stops early.
        with closing(chunks):
            for chunk in chunks:
                yield [pick((*row, None)) for row in chunk] if pad else [pick(row) for row in chunk]


class _LocalDays:
    """Stored moments as the days they fall on in a time zone, worked out once per hour.

    PostgreSQL works out the day itself (``_driver_rows``). SQLite's driver returns a naive
    datetime in UTC (through the converter Django registers with it), or the text Django
    wrote where no converter applies. Converting each of a million moments costs about 3 µs;
    a UTC hour whose first and last moments fall on the same local day (every hour, in a
    zone of whole-hour offsets) answers from one conversion. An hour that a local midnight
    cuts (a half-hour offset, a change of summer time) is converted moment by moment. The
    memory holds at most one entry per hour of the stored history, whatever the length of
    the list.
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.hours: dict[tuple[int, int, int, int], str | None] = {}

    def day(self, value: date | str | None) -> str:
        if not value:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):  # the day, worked out by the database
            return value.isoformat()
        if value.utcoffset():
            value = value.astimezone(UTC)
        hour = (value.year, value.month, value.day, value.hour)
        try:
            day = self.hours[hour]
        except KeyError:
            first = datetime(*hour, tzinfo=UTC)
            start, end = self._convert(first), self._convert(first + _LAST_OF_HOUR)
            day = self.hours[hour] = start if start == end else None
        return self._convert(value) if day is None else day

    def _convert(self, value: datetime) -> str:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(self.zone).date().isoformat()


_LAST_OF_HOUR = timedelta(hours=1, microseconds=-1)


def _text(values: Iterable[str | None]) -> list[str]:
    """``safe_cell`` over a column of text (None as empty), without a call per cell."""
    return ["" if v is None else "'" + v if v.startswith(FORMULA_STARTS) else v for v in values]


def _decimals(values: Iterable, form: str) -> list[str]:
    return ["" if v is None else form.format(v) for v in values]


def _chunk_cells(viewer: policy.Viewer, chunk: list[tuple], labels: dict) -> list[tuple]:
    """A chunk of the list query's rows as the export's rows, formatted a column at a time
    (a dozen calls per row cost more than the rest of the export's formatting)."""
    (ids, names, phones, emails, statuses, tiers, branch_ids, branches, owner_ids, owners) = (
        columns := list(zip(*chunk, strict=True))
    )[:10]
    (revenues, lasts, segments, warnings, priorities, at_risk, scores) = columns[10:]
    # Masked exactly as the list page masks: the same policy decision, a chunk at a time.
    # Only phone and e-mail need masking.
    accesses = policy.field_access_of(viewer, ids, owner_ids, branch_ids)
    contacts = [
        selectors.present_contact(phone, email, access)
        for phone, email, access in zip(phones, emails, accesses, strict=True)
    ]
    flag = labels["flag"].__getitem__  # True, False or None; on SQLite 1 or 0 (equal keys)
    # Text anyone may type goes through the formula check; numbers and dates written here
    # cannot start a formula, except a negative amount, which is kept as text alike.
    return list(
        zip(
            map(str, ids),
            _text(names),
            _text([phone for phone, _email in contacts]),
            _text([email for _phone, email in contacts]),
            map(labels["status"].get, statuses, statuses),
            map(labels["value_tier"].get, tiers, tiers),
            _text(branches),
            _text([o if i is not None else "" for o, i in zip(owners, owner_ids, strict=True)]),
            _text(_decimals(revenues, "{:.2f}")),
            map(labels["days"].day, lasts),
            [labels["segment"].get(s, s or "") for s in segments],
            map(flag, warnings),
            map(flag, priorities),
            _decimals(at_risk, "{:.2f}"),
            _decimals(scores, "{:.1f}"),
            strict=True,
        )
    )


def _rows(viewer: policy.Viewer, chunks: Iterable[list[tuple]]) -> Iterator[Sequence[str]]:
    yield [safe_cell(h) for h in _headers()]
    labels = _labels()
    for chunk in chunks:
        yield from _chunk_cells(viewer, chunk, labels)


def customer_export_for_user(
    *, viewer: policy.Viewer, raw_filter: dict, context: RequestContext, sort: str = "name"
) -> CustomerExport:
    """The customers of the viewer's list with these filters, search and sort, as rows;
    audited as one entry naming them. A ValidationError names a parameter at fault, or
    ``export`` when the list is longer than ``GUANXI_EXPORT_MAX_ROWS``."""
    request = selectors.list_request_for_user(viewer=viewer, raw_filter=raw_filter, sort=sort)
    limit = settings.GUANXI_EXPORT_MAX_ROWS
    shape, values, _compilable = list_query.page_shape(
        viewer,
        request.clean,
        request.query,
        sort,
        slice(0, limit),
        request.analytics,
        request.run_id,
    )
    if not shape[0] or (request.analytics and request.run_id is None):
        return CustomerExport(0, _rows(viewer, []))
    count = list_query.matching_ids(shape, values, limit + 1).count()
    if count > limit:
        raise ValidationError(
            {
                "export": [
                    _(
                        "This list has more than %(limit)s customers, the most one export may "
                        "hold. Narrow it with filters or a search."
                    )
                    % {"limit": f"{limit:,}"}
                ]
            }
        )
    # The customers exported are the list's matches, all of them (there are no more than
    # the limit); named by the plain filtered query, not the sorted page with its joins.
    sql, params = list_query.matching_ids(shape, values, limit).query.sql_with_params()
    record_customer_set(
        viewer.user,
        AuditAction.EXPORT,
        "customer",
        "list",
        EXPORTED_FIELDS,
        context,
        customers_sql=f"SELECT exported.pk AS id FROM ({sql}) exported",
        params=list(params),
    )
    found = _driver_rows(list_query._page(shape, **values))
    return CustomerExport(count, _rows(viewer, found))


def csv_stream(export: CustomerExport) -> Iterator[bytes]:
    """The export as CSV for Excel, UTF-8 with a byte-order mark, a chunk of lines at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    rows = iter(export.rows)
    # writerows over a chunk: one call into the C writer per chunk, not per row
    while chunk := list(itertools.islice(rows, EXPORT_CHUNK)):
        writer.writerows(chunk)
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()
    yield out.getvalue().encode()


def write_xlsx(export: CustomerExport, target) -> None:
    """The export as an .xlsx workbook written to ``target`` (openpyxl's write-only mode:
    rows go to disk as they come, memory stays flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Customers"))
    for row in export.rows:
        sheet.append(row)
    workbook.save(target)


def export_response(export: CustomerExport, kind: str) -> HttpResponseBase:
    """The HTTP answer carrying an export: CSV streamed as it is read, .xlsx from a
    temporary file once written (a zip cannot be streamed before it is finished)."""
    if kind == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_stream(export), content_type="text/csv; charset=utf-8"
        )
    else:
        target = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
        write_xlsx(export, target)
        target.seek(0)
        response = FileResponse(target, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="guanxi-customers.{kind}"'
    response["X-Export-Count"] = str(export.count)
    return response
