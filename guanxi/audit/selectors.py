"""Searching the audit log (auditors and administrators only) and exporting it as CSV.

"Entries about customer X" are the entries whose record is X and those that name X as a
subject (a list page that showed X, a run that moved X to another tier, a change of X's
contact): both through an index, so the search stays fast on a log of millions of entries.
"""

import csv
import io
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit import display
from guanxi.audit.models import AuditAction, AuditEntry, AuditSubject
from guanxi.audit.services import RequestContext, record
from guanxi.customers.models import Customer
from guanxi.customers.search import search_terms

EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 500
# A customer-name search looks at the entries of at most this many matching customers.
NAME_MATCHES = 500
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _about_customers(ids: list[int]) -> Q:
    """Entries about these customers, of any record type: theirs, and those naming them.

    One list of entry ids from two index lookups. As an OR of the two conditions, or with a
    record type tested beside it, both databases chose to scan every customer entry instead.
    """
    own = AuditEntry.objects.filter(object_type="customer", object_id__in=map(str, ids))
    named = AuditSubject.objects.filter(customer_id__in=ids).values("entry_id")
    return Q(pk__in=own.order_by().values("pk").union(named, all=True))


def _matching_staff(name: str) -> Q:
    users = get_user_model().objects.filter(
        Q(username__iexact=name) | Q(profile__display_name__icontains=name)
    )
    # "system" and users since renamed are found by the name the entry was written with.
    return Q(actor_id__in=list(users.values_list("pk", flat=True))) | Q(actor_name=name)


def _matching_customers(viewer: policy.Viewer, query: str) -> list[int]:
    # As the customer search box finds them (name prefix, pinyin, initials, phone, ...),
    # through the same indexes: a substring test would read every customer.
    terms = search_terms(query)
    if terms is None:
        return []
    found = policy.customer_scope(viewer, Customer.objects.filter(terms.condition().any))
    return list(found.order_by("pk").values_list("pk", flat=True)[:NAME_MATCHES])


def audit_entry_list_for_user(
    *,
    viewer: policy.Viewer,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    customer: str = "",
) -> QuerySet:
    """Audit entries matching the criteria, newest first.

    ``actor`` is a staff member's user name or part of their display name. ``customer`` is
    what the customer search box takes (a name or its start, pinyin, phone); ``object_id``
    of type "customer" (or of no type) a customer's id: both find the entries about the
    customer, whatever their record type (list pages that showed them, changes of their
    contacts, holdings and transactions, runs that moved their tier).
    """
    if not policy.allows(viewer, "audit.read"):
        raise PermissionDenied(_("Only auditors and administrators can read the audit log."))
    entries = AuditEntry.objects.all()
    if actor:
        entries = entries.filter(_matching_staff(actor))
    if action:
        entries = entries.filter(action=action)
    about_customer = object_id.isdigit() and object_type in ("", "customer")
    if about_customer:
        about = _about_customers([int(object_id)])
        # Without a record type the id may be any record's too (no index: a slow search).
        entries = entries.filter(about if object_type else about | Q(object_id=object_id))
    elif object_id:
        entries = entries.filter(object_id=object_id)
    if customer:
        entries = entries.filter(_about_customers(_matching_customers(viewer, customer)))
        about_customer = True
    # "customer" with a customer criterion means entries about them, whatever their type.
    if object_type and not (about_customer and object_type == "customer"):
        entries = entries.filter(object_type=object_type)
    if since:
        entries = entries.filter(at__gte=since)
    if until:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-at", "-id")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: formula starts get a leading apostrophe."""
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _headers() -> list[str]:
    return [
        _("Time (%(zone)s)") % {"zone": settings.TIME_ZONE},
        _("User name"),
        _("Staff name"),
        _("Action"),
        _("Record type"),
        _("Record"),
        _("Record name"),
        _("Customers named"),
        _("Customers"),
        _("Fields"),
        _("Changes"),
        _("Purpose"),
        _("IP address"),
        _("Channel"),
    ]


def _csv_row(row: dict) -> list[str]:
    return [
        row["at"].strftime("%Y-%m-%d %H:%M:%S"),
        row["actor_name"],
        row["actor_display"],
        row["action_label"],
        row["object_type_label"],
        row["object_id"],
        row["object_name"],
        row["customer_count"] or "",
        "; ".join(f"{c['name']} (#{c['id']})" for c in row["customers"]),
        ", ".join(row["field_labels"]),
        "; ".join(f"{c['field']}: {c['old']} → {c['new']}" for c in row["change_lines"]),
        row["purpose"],
        row["ip_address"] or "",
        row["channel_label"],
    ]


def export_csv(viewer: policy.Viewer, entries: QuerySet, context: RequestContext) -> str:
    """The entries as CSV for Excel: UTF-8 with a byte-order mark, translated headers, local
    times, masked values and no cell that could run as a formula. The export is audited."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 (Chinese names) only with the mark
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in _headers()])
    chunk: list[AuditEntry] = []
    for entry in entries[:EXPORT_LIMIT].iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(entry)
        if len(chunk) == EXPORT_CHUNK:
            _write_chunk(writer, viewer, chunk)
            chunk = []
    _write_chunk(writer, viewer, chunk)
    record(viewer.user, AuditAction.EXPORT, "audit", ["search"], [], context)
    return out.getvalue()


def _write_chunk(writer, viewer: policy.Viewer, chunk: list[AuditEntry]) -> None:
    for row in display.present_entries(viewer, chunk):
        writer.writerow([safe_cell(cell) for cell in _csv_row(row)])
