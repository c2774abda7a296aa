"""Forms of the customer pages.

The forms parse and render; the rules live in the services and selectors. Each form maps
the services' ``ValidationError`` (keyed by service field names such as ``owner_id`` or
``custom_fields.<key>``) back onto its own fields, so every message appears next to the
input it is about.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi import policy
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import (
    CustomerGroup,
    CustomerKind,
    CustomFieldDefinition,
    CustomFieldType,
    Gender,
    LifecycleStatus,
    SourceChannel,
    Tag,
    ValueTier,
)
from guanxi.org.models import Branch, Profile
from guanxi.web.widgets import DatePicker

SORT_CHOICES = [
    ("name", _("Name (pinyin)")),
    ("-created_at", _("Newest customers first")),
    ("created_at", _("Oldest customers first")),
    ("-lifetime_revenue", _("Highest lifetime revenue")),
    ("-last_purchase_at", _("Most recent purchase")),
]


def _blank(label: str | Promise) -> list[tuple[str, str | Promise]]:
    return [("", label)]


def account_manager_choices(
    viewer: policy.Viewer, branch_id: int | None = None
) -> list[tuple[str, str]]:
    """Active account managers the viewer may see (``staff.view``), optionally of one
    branch, as (user id, display name) choices.

    Roles are a JSON list, which SQLite cannot search inside, so the role test runs here;
    staff lists are small next to customer lists.
    """
    profiles = policy.scoped(
        viewer,
        Profile.objects.select_related("user").filter(user__is_active=True, branch__isnull=False),
        "staff.view",
    ).order_by("display_name", "user__username")
    if branch_id is not None:
        profiles = profiles.filter(branch_id=branch_id)
    return [
        (str(p.user_id), p.display_name or p.user.get_username())
        for p in profiles
        if policy.may_own_customers(p.roles)
    ]


def branch_choices() -> list[tuple[str, str]]:
    """All branches (organisation structure, not personal data)."""
    return [(str(b.pk), b.name) for b in Branch.objects.order_by("code")]


class ServiceErrorsMixin:
    """Puts the services' per-field messages on the form's fields (the rest on the form).

    ``FIELD_MAP`` renames service keys to form fields; ``custom_fields.<key>`` becomes
    ``cf_<key>``.
    """

    FIELD_MAP: dict[str, str] = {}

    def apply_service_errors(self, exc: ValidationError) -> None:
        """Show the service's validation messages next to the fields they are about."""
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for key, texts in messages.items():
            name = self.FIELD_MAP.get(key, key)
            if name.startswith("custom_fields."):
                name = "cf_" + name.removeprefix("custom_fields.")
            self.add_error(name if name in self.fields else None, texts)


class CustomerFilterForm(ServiceErrorsMixin, forms.Form):
    """The search box, filters and sort of the customer list (read from the query string)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "autocomplete": "off",
                "placeholder": _("Name, pinyin, phone or its last 4 digits, ID, email"),
            }
        ),
    )
    status = forms.ChoiceField(label=_("Lifecycle status"), required=False)
    value_tier = forms.ChoiceField(label=_("Value tier"), required=False)
    branch_id = forms.ChoiceField(label=_("Branch"), required=False)
    owner_id = forms.ChoiceField(label=_("Account manager"), required=False)
    group_id = forms.ChoiceField(label=_("Group"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, viewer: policy.Viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        any_ = _("Any")
        choices = {
            "status": LifecycleStatus.choices,
            "value_tier": ValueTier.choices,
            "branch_id": branch_choices(),
            "owner_id": account_manager_choices(viewer),
            "group_id": [(str(g.pk), g.name) for g in CustomerGroup.objects.order_by("name")],
            "tag": [(t.name, t.name) for t in Tag.objects.order_by("name")],
        }
        for name, options in choices.items():
            self.fields[name].choices = _blank(any_) + list(options)
        for name, field in self.fields.items():
            if name != "q":
                field.widget.attrs["class"] = "form-select"

    def list_filter(self) -> dict:
        """The filters set, as ``customer_list_for_user`` expects them (call after ``is_valid``)."""
        keys = ("q", "status", "value_tier", "branch_id", "owner_id", "group_id", "tag")
        return {k: self.cleaned_data[k] for k in keys if self.cleaned_data.get(k)}

    def sort_key(self) -> str:
        """The chosen sort order (call after ``is_valid``)."""
        return self.cleaned_data.get("sort") or "name"


def _custom_form_field(definition: CustomFieldDefinition) -> forms.Field:
    common = {"label": definition.label, "required": False}
    kind = definition.field_type
    if kind == CustomFieldType.NUMBER:
        return forms.DecimalField(**common, widget=forms.NumberInput(attrs={"step": "any"}))
    if kind == CustomFieldType.DATE:
        return forms.DateField(**common, widget=DatePicker())
    if kind == CustomFieldType.CHOICE:
        return forms.ChoiceField(
            **common, choices=_blank("—") + [(c, c) for c in definition.choices]
        )
    if kind == CustomFieldType.BOOLEAN:
        return forms.NullBooleanField(**common, widget=forms.NullBooleanSelect)
    return forms.CharField(**common, max_length=500)


def _custom_value(value: object) -> object:
    # The service stores JSON: numbers as int/float, dates as ISO strings.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class CustomerEditForm(ServiceErrorsMixin, forms.Form):
    """Edit a customer as the viewer sees them.

    Personal fields follow the viewer's access as the selector presented it: a field the
    viewer may not see is left out; a masked field starts empty (the masked value is the
    placeholder) and is only changed when something is typed. ``version`` carries the
    version the form was read at, so a concurrent change is refused instead of overwritten.
    """

    FIELD_MAP = {"branch_id": "branch", "owner_id": "owner"}

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DatePicker())
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    occupation = forms.CharField(label=_("Industry / occupation"), max_length=100, required=False)
    external_id = forms.CharField(label=_("External system ID"), max_length=64, required=False)
    source_channel = forms.ChoiceField(label=_("Source channel"), required=False)
    branch = forms.ChoiceField(label=_("Branch"))
    owner = forms.ChoiceField(label=_("Account manager"), required=False)
    value_tier = forms.ChoiceField(label=_("Value tier"), choices=ValueTier.choices)

    def __init__(self, profile: dict, *args, viewer: policy.Viewer, **kwargs) -> None:
        self.masked = set(profile["masked"])
        super().__init__(*args, initial=self._initial(profile), **kwargs)
        self.fields["source_channel"].choices = _blank("—") + list(SourceChannel.choices)
        self.fields["branch"].choices = branch_choices()
        # An owner belongs to the customer's branch; moving branch is a transfer.
        owners = account_manager_choices(viewer, profile["branch"]["id"])
        current = profile["owner"]
        if current and str(current["id"]) not in dict(owners):
            # The current owner may have left the role; keep them choosable so an
            # unrelated edit does not fail on a field the user never touched.
            owners.append((str(current["id"]), current["name"]))
        self.fields["owner"].choices = _blank(_("None")) + owners
        for name in policy.PERSONAL_FIELDS:
            if profile[name] is None:
                del self.fields[name]  # hidden from this viewer: not even an empty input
            elif name in self.masked:
                field = self.fields[name]
                field.widget.attrs["placeholder"] = profile[name]
                field.help_text = _("Masked. Leave empty to keep the current value.")
        if "birthday" in self.masked:
            # Month and day only, as the ID number is masked: typing a date replaces it.
            self.fields["birthday"].widget.attrs["placeholder"] = profile["birthday"]
            self.fields["birthday"].help_text = _("Masked. Leave empty to keep the current value.")
        for definition in CustomFieldDefinition.objects.all():
            key = f"cf_{definition.key}"
            self.fields[key] = _custom_form_field(definition)
            if definition.field_type == CustomFieldType.DATE and self.initial.get(key):
                # Stored as ISO text; as a date it equals an untouched input, so the
                # field does not count as changed.
                self.initial[key] = date.fromisoformat(self.initial[key])
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _initial(self, profile: dict) -> dict:
        initial = {
            name: profile[name]
            for name in (
                "version",
                "kind",
                "name",
                "gender",
                "address",
                "occupation",
                "external_id",
                "source_channel",
                "value_tier",
            )
        }
        initial["branch"] = str(profile["branch"]["id"])
        initial["owner"] = str(profile["owner"]["id"]) if profile["owner"] else ""
        for name in policy.PERSONAL_FIELDS:
            initial[name] = "" if name in self.masked else profile[name]
        birthday = profile["birthday"]
        masked = "birthday" in self.masked or not birthday
        initial["birthday"] = None if masked else date.fromisoformat(birthday)
        for custom in profile["custom_fields"]:
            initial[f"cf_{custom['key']}"] = custom["value"]
        return initial

    def changes(self) -> CustomerFields:
        """The changed fields as ``customer_update`` expects them (call after ``is_valid``).

        Only changed fields are given, so an untouched masked value is never overwritten
        and the audit log names exactly what was changed.
        """
        data: dict = {}
        custom: dict = {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            if name in self.masked and not value:
                continue
            if name.startswith("cf_"):
                custom[name.removeprefix("cf_")] = _custom_value(value)
            elif name == "branch":
                data["branch_id"] = int(value)
            elif name == "owner":
                data["owner_id"] = int(value) if value else None
            elif name != "version":
                data[name] = value
        if custom:
            data["custom_fields"] = custom
        return CustomerFields.from_mapping(data)


class LifecycleForm(ServiceErrorsMixin, forms.Form):
    """Move a customer to another lifecycle status; the reason is kept in the history."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(
        label=_("New status"),
        choices=_blank("—") + list(LifecycleStatus.choices),  # no silent default
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class RevealForm(ServiceErrorsMixin, forms.Form):
    """Why the viewer needs to see a masked value; stored with the audit entry."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("e.g. customer called to verify")}
        ),
    )
