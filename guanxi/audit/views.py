"""Audit log pages: search the log and export the matches as CSV.

Only auditors and administrators may read the log; ``audit_entry_list_for_user`` decides that and
raises ``PermissionDenied`` (a 403 page) for everyone else.
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from guanxi.audit import display, selectors
from guanxi.audit.models import AuditAction
from guanxi.request_context import context_of, page_number, viewer_of
from guanxi.storable import EARLIEST_DATE, LATEST_DATE
from guanxi.web.widgets import DatePicker

PAGE_SIZE = 50
# A list-page entry shows this many customer names in the table, then how many more.
SHOWN_NAMES = 5


DATE_RANGE = [MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]


class AuditSearchForm(forms.Form):
    """Criteria of an audit search, read from the query string."""

    actor = forms.CharField(label=_("Staff"), required=False, max_length=150)
    customer = forms.CharField(label=_("Customer name"), required=False, max_length=200)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Record type"), required=False)
    object_id = forms.CharField(label=_("Record"), required=False, max_length=64)
    since = forms.DateField(
        label=_("From"), required=False, widget=DatePicker(), validators=DATE_RANGE
    )
    until = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=DatePicker(), validators=DATE_RANGE
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any"))] + list(AuditAction.choices)
        self.fields["object_type"].choices = [("", _("Any"))] + list(display.RECORD_TYPES.items())
        self.fields["actor"].help_text = _("User name or part of the display name")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def criteria(self) -> dict:
        """The keyword arguments of ``audit_entry_list_for_user`` (call after ``is_valid``)."""
        data = self.cleaned_data
        return {
            "actor": data["actor"].strip(),
            "customer": data["customer"].strip(),
            "action": data["action"],
            "object_type": data["object_type"],
            "object_id": data["object_id"].strip(),
            "since": _start_of(data["since"]),
            # Whole days in the user's time zone: "to 3 May" includes all of 3 May.
            "until": _start_of(data["until"] + timedelta(days=1) if data["until"] else None),
        }


def _start_of(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


def _render_log(request: HttpRequest, form: AuditSearchForm, status: int = 200) -> HttpResponse:
    valid = form.is_valid()
    # An invalid search still asks the selector (with no criteria), so a user who may
    # not read the log gets 403 whatever they typed.
    entries = selectors.audit_entry_list_for_user(
        viewer=viewer_of(request), **form.criteria() if valid else {}
    )
    page = page_number(request)
    start = (page - 1) * PAGE_SIZE
    found = list(entries[start : start + PAGE_SIZE + 1]) if valid else []
    rows = display.present_entries(viewer_of(request), found[:PAGE_SIZE])
    for row in rows:
        row["shown_customers"] = row["customers"][:SHOWN_NAMES]
        row["more_customers"] = row["customer_count"] - len(row["shown_customers"])
    context = {
        "form": form,
        "entries": rows,
        "page": page,
        "has_next": len(found) > PAGE_SIZE,
        "query": request.GET,
    }
    return render(request, "audit/log.html", context, status=status)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Search the audit log, newest first, a page at a time (no total count)."""
    return _render_log(request, AuditSearchForm(request.GET))


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """The entries matching the search as a CSV file; the export itself is audited.

    An invalid search shows the search page with its errors instead of exporting the
    whole log.
    """
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return _render_log(request, form, status=400)
    viewer = viewer_of(request)
    entries = selectors.audit_entry_list_for_user(viewer=viewer, **form.criteria())
    body = selectors.export_csv(viewer, entries, context_of(request, "web"))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="guanxi-audit.csv"'
    return response
