"""How audit entries are shown: in the log page, the API and the CSV export alike.

Codes are translated (actions, record types, fields, channels), times are local, records
have their name and a link to the customer they concern, and the old and new personal values
of a change are masked as the viewer's access to that customer says: an auditor with masked
access to phones sees ``138****5678``, an administrator the number. The log itself keeps the
values as they were.
"""

import contextlib

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi import policy
from guanxi.audit.models import AuditAction, AuditEntry, AuditSubject
from guanxi.customers.identity import national_phone
from guanxi.customers.models import Customer
from guanxi.customers.selectors import shown_filter

RECORD_TYPES = {
    "customer": gettext_lazy("Customer"),
    "contact": gettext_lazy("Contact person"),
    "group": gettext_lazy("Customer group"),
    "custom_field": gettext_lazy("Custom field"),
    "product": gettext_lazy("Product"),
    "holding": gettext_lazy("Holding"),
    "transaction": gettext_lazy("Transaction"),
    "analysis_run": gettext_lazy("Analysis run"),
    "audit": gettext_lazy("Audit log"),
    "activity": gettext_lazy("Activity"),
    "attachment": gettext_lazy("Attachment"),
    "contact_rule": gettext_lazy("Contact rule"),
    "lead": gettext_lazy("Lead"),
    "lead_score_rule": gettext_lazy("Lead score rules"),
    "plan": gettext_lazy("Plan"),
    "working_calendar": gettext_lazy("Working calendar"),
    "official_schedule": gettext_lazy("Official holiday schedule"),
    "sla_policy": gettext_lazy("SLA policy"),
}
# Where the field names of each record type are defined, for their translated labels.
RECORD_MODELS = {
    "customer": "customers.Customer",
    "contact": "customers.Contact",
    "group": "customers.CustomerGroup",
    "custom_field": "customers.CustomFieldDefinition",
    "product": "customers.Product",
    "holding": "customers.Holding",
    "transaction": "customers.Transaction",
    "analysis_run": "insights.AnalysisRun",
    "activity": "activities.Activity",
    "attachment": "activities.Attachment",
    "contact_rule": "activities.ContactRule",
    "lead": "leads.Lead",
    "plan": "plans.Plan",
    "working_calendar": "service.WorkingCalendar",
    "sla_policy": "service.SlaPolicy",
}
# Names in ``fields`` that are not model fields: parts of the 360 view, collections.
OTHER_FIELDS = {
    "tags": gettext_lazy("tags"),
    "members": gettext_lazy("members"),
    "members_added": gettext_lazy("members added"),
    "members_removed": gettext_lazy("members removed"),
    "contacts": gettext_lazy("contact persons"),
    "holdings": gettext_lazy("holdings"),
    "scores": gettext_lazy("scores"),
    "search": gettext_lazy("search"),
    "product_code": gettext_lazy("product"),
    "items": gettext_lazy("planned contacts"),
    "targets": gettext_lazy("targets"),
    "reviews": gettext_lazy("reviews"),
    # A lead's conversion: how many of its activities became the customer's.
    "activities_to_customer": gettext_lazy("activities given to the customer"),
}
ACCESS_LABELS = {"full": gettext_lazy("full"), "masked": gettext_lazy("masked")}
CHANNELS = {
    "api": gettext_lazy("API"),
    "web": gettext_lazy("Web"),
    "task": gettext_lazy("Background task"),
    "web_form": gettext_lazy("Web form"),
}
# Records that belong to one customer, who is the entry's subject: the link goes there.
BELONGS_TO_CUSTOMER = {"contact", "holding", "transaction"}
# Entries naming more customers than a list page can show (a run's value-tier changes)
# show their count only: their names would be a page of their own.
SHOWN_CUSTOMERS = 200


def action_label(code: str) -> str:
    """The translated name of an action code (unknown codes as stored)."""
    try:
        return str(AuditAction(code).label)
    except ValueError:
        return code


def record_type_label(code: str) -> str:
    """The translated name of a record type code."""
    return str(RECORD_TYPES.get(code, code))


def field_label(object_type: str, name: str) -> str:
    """``phone:masked`` of a customer as "phone (masked)", translated."""
    base, _sep, access = name.partition(":")
    label = str(OTHER_FIELDS.get(base, base))
    field = None if base in OTHER_FIELDS else _model_field(object_type, base)
    if field is not None and hasattr(field, "verbose_name"):  # reverse relations have none
        label = str(field.verbose_name)
    return f"{label} ({ACCESS_LABELS[access]})" if access in ACCESS_LABELS else label


def _model_field(object_type: str, name: str):
    if object_type not in RECORD_MODELS:
        return None
    with contextlib.suppress(FieldDoesNotExist):
        return apps.get_model(RECORD_MODELS[object_type])._meta.get_field(name)
    return None


def _choice_label(object_type: str, name: str, value: object) -> object:
    """A stored code of a field with choices (status, kind, tier) as its translated label."""
    field = _model_field(object_type, name)
    choices = getattr(field, "flatchoices", None) if field is not None else None
    if not choices or not isinstance(value, str):
        return value
    return str(dict(choices).get(value, value))


def text(value: object) -> str:
    """A stored value as one line of text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {text(v)}" for k, v in value.items())
    return str(value)


def _shown(name: str, value: object, access: dict | None) -> object:
    if name not in policy.MASKS or not isinstance(value, str):
        return value
    raw = national_phone(value) if name == "phone" else value
    if access is None:
        return _("(hidden)")  # a customer the viewer may not see: nothing personal of them
    shown = policy.present(name, raw, policy.access_to(name, access))
    return _("(hidden)") if shown is None else shown


def _subjects(entries: list[AuditEntry]) -> dict[int, list[int]]:
    listed = [e.pk for e in entries if e.customer_count and e.customer_count <= SHOWN_CUSTOMERS]
    found: dict[int, list[int]] = {}
    rows = AuditSubject.objects.filter(entry_id__in=listed).values_list("entry_id", "customer_id")
    for entry_id, customer_id in rows.order_by("entry_id", "customer_id"):
        found.setdefault(entry_id, []).append(customer_id)
    return found


def _customers(viewer: policy.Viewer, ids: set[int]) -> dict[int, dict]:
    rows = policy.customer_scope(viewer, Customer.objects.filter(pk__in=ids)).values(
        "id", "name", "owner_id", "branch_id"
    )
    return {r["id"]: r for r in rows}


# Reference fields whose stored ids read as names in a change (an owner, a branch).
NAMED_REFERENCES = ("owner_id", "branch_id")


def _referenced(entries: list[AuditEntry], field: str) -> set[int]:
    return {
        value
        for e in entries
        for value in (e.changes or {}).get(field, [])
        if isinstance(value, int) and not isinstance(value, bool)
    }


def _staff_names(entries: list[AuditEntry]) -> dict[int, str]:
    """Display names of the entries' actors and of the owners their changes name."""
    profile = apps.get_model("org", "Profile")
    ids = {e.actor_id for e in entries if e.actor_id is not None} | _referenced(entries, "owner_id")
    rows = profile.objects.filter(user_id__in=ids).values_list(
        "user_id", "display_name", "user__username"
    )
    return {user_id: name or username for user_id, name, username in rows}


def _branch_names(entries: list[AuditEntry]) -> dict[int, str]:
    """Names of the branches the entries' changes name (no query when none does)."""
    ids = _referenced(entries, "branch_id")
    if not ids:
        return {}
    branch = apps.get_model("org", "Branch")
    return dict(branch.objects.filter(pk__in=ids).values_list("pk", "name"))


def _named(field: str, value: object, names: dict[str, dict[int, str]]) -> object:
    """An owner's or branch's id in a change as its name, the id kept beside it."""
    if field not in NAMED_REFERENCES or not isinstance(value, int) or isinstance(value, bool):
        return value
    name = names[field].get(value)
    return f"{name} (#{value})" if name else f"#{value}"


def _customer_link(customer_id: int, customers: dict[int, dict]) -> dict:
    known = customers.get(customer_id)
    return {
        "id": customer_id,
        "name": known["name"] if known else f"#{customer_id}",
        "url": reverse("customers:detail", args=[customer_id]) if known else None,
    }


def _concerned_customer(entry: AuditEntry, subjects: list[int]) -> int | None:
    if entry.object_type == "customer" and entry.object_id.isdigit():
        return int(entry.object_id)
    if entry.object_type in BELONGS_TO_CUSTOMER and subjects:
        return subjects[0]
    return None


def present_entries(viewer: policy.Viewer, entries: list[AuditEntry]) -> list[dict]:
    """The entries as the viewer may see them, in three queries whatever their number (a
    fourth when a change names a branch)."""
    subjects = _subjects(entries)
    concerned = {e.pk: _concerned_customer(e, subjects.get(e.pk, [])) for e in entries}
    ids = {c for c in concerned.values() if c is not None}
    ids.update(c for listed in subjects.values() for c in listed)
    customers = _customers(viewer, ids)
    # A customer out of the viewer's scope, or gone, gets the access of an unknown customer.
    unknown = {"owner_id": None, "branch_id": None}
    refs = [
        policy.CustomerRef(
            i, customers.get(i, unknown)["owner_id"], customers.get(i, unknown)["branch_id"]
        )
        for i in ids
    ]
    access = policy.field_access(viewer, refs)
    staff = _staff_names(entries)
    names = {"staff": staff, "owner_id": staff, "branch_id": _branch_names(entries)}
    everywhere = policy.access_everywhere(viewer)
    return [
        _row(e, subjects.get(e.pk, []), concerned[e.pk], customers, (access, everywhere), names)
        for e in entries
    ]


def _shown_filter(value: object, everywhere: dict) -> object:
    # A group's saved filter may hold a search term (an ID number): shown as group lists
    # show it, as far as the viewer sees that field on every customer.
    return shown_filter(value, everywhere) if isinstance(value, dict) else value


def _row(entry, subjects, concerned, customers, accesses, names) -> dict:
    access, everywhere = accesses
    link = _customer_link(concerned, customers) if concerned is not None else None
    if entry.object_type == "customer":
        name = link["name"] if link else ""
    else:
        name = entry.object_name or (f"#{entry.object_id}" if entry.object_id else "")
    access_here = access.get(concerned) if concerned is not None else None
    changes = {
        field: [_shown(field, value, access_here) for value in pair]
        for field, pair in (entry.changes or {}).items()
    }
    if entry.object_type == "group" and "filter" in changes:
        changes["filter"] = [_shown_filter(v, everywhere) for v in changes["filter"]]
    labelled = {
        field: [_named(field, _choice_label(entry.object_type, field, v), names) for v in pair]
        for field, pair in changes.items()
    }
    return {
        "at": timezone.localtime(entry.at),
        "actor_name": entry.actor_name,
        "actor_display": names["staff"].get(entry.actor_id, entry.actor_name),
        "action": entry.action,
        "action_label": action_label(entry.action),
        "object_type": entry.object_type,
        "object_type_label": record_type_label(entry.object_type),
        "object_id": entry.object_id,
        "object_name": name,
        "url": link["url"] if link else None,
        "customer_count": entry.customer_count or 0,
        "customers": [_customer_link(c, customers) for c in subjects],
        "fields": entry.fields,
        "field_labels": [field_label(entry.object_type, f) for f in entry.fields],
        "changes": changes,
        "change_lines": [
            {
                "field": field_label(entry.object_type, field),
                "old": text(pair[0]),
                "new": text(pair[1]),
            }
            for field, pair in labelled.items()
        ],
        "purpose": entry.purpose,
        "ip_address": entry.ip_address,
        "channel": entry.channel,
        "channel_label": str(CHANNELS.get(entry.channel, entry.channel)),
    }
