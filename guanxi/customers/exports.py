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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.selectors import safe_cell
from guanxi.audit.services import RequestContext, record_customer_set
from guanxi.customers import list_analytics, list_query, selectors
from guanxi.customers.models import LifecycleStatus, ValueTier

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
    rows: Iterator[list[str]]


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
        "zone": timezone.get_current_timezone(),
    }


def _cells(values: dict, access: dict, labels: dict) -> list[str]:
    # Read from the query's values, not from a presented list row: building that row's
    # dictionaries cost a tenth of the export's time, and only phone and e-mail need masking.
    phone, email = selectors.present_contact(values["phone"], values["email"], access)
    last, at_risk, score = (
        values["last_purchase_at"],
        values.get("value_at_risk"),
        values.get("score"),
    )
    owner = values["owner_name"] if values["owner_id"] is not None else ""
    # Text anyone may type (names, e-mail) goes through safe_cell; numbers and dates written
    # here cannot start a formula, except a negative amount, which safe_cell keeps as text.
    return [
        str(values["id"]),
        safe_cell(values["name"]),
        safe_cell(phone),
        safe_cell(email),
        labels["status"].get(values["status"], values["status"]),
        labels["value_tier"].get(values["value_tier"], values["value_tier"]),
        safe_cell(values["branch_name"]),
        safe_cell(owner),
        safe_cell(f"{values['lifetime_revenue']:.2f}"),
        last.astimezone(labels["zone"]).date().isoformat() if last else "",
        labels["segment"].get(values.get("rfm_segment"), values.get("rfm_segment") or ""),
        labels["flag"][values.get("churn_warning")],
        labels["flag"][values.get("churn_priority")],
        "" if at_risk is None else f"{at_risk:.2f}",
        "" if score is None else f"{score:.1f}",
    ]


def _rows(viewer: policy.Viewer, found: Iterable[dict]) -> Iterator[list[str]]:
    yield [safe_cell(h) for h in _headers()]
    labels = _labels()
    chunk: list[dict] = []
    for values in found:
        chunk.append(values)
        if len(chunk) == EXPORT_CHUNK:
            yield from _present(viewer, chunk, labels)
            chunk = []
    yield from _present(viewer, chunk, labels)


def _present(viewer: policy.Viewer, chunk: list[dict], labels: dict) -> list[list[str]]:
    # Masked exactly as the list page masks: the same policy call, a chunk at a time.
    refs = [policy.CustomerRef(v["id"], v["owner_id"], v["branch_id"]) for v in chunk]
    access = policy.field_access(viewer, refs)
    return [_cells(values, access[values["id"]], labels) for values in chunk]


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
    found = list_query._page(shape, **values).iterator(chunk_size=EXPORT_CHUNK)
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
