"""The customer profile forms: create an individual or an organisation, and edit one.

Each kind shows its own fields only (an organisation has no resident ID, gender or
birthday; an individual no organisation fields). The forms parse and render; the rules
live in the services (``guanxi.customers.services``), whose messages ``ServiceErrorsMixin``
puts next to the fields they are about.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi import policy
from guanxi.customers.forms import (
    ServiceErrorsMixin,
    account_manager_choices,
    blank_choice,
    branch_choices,
    staff_name,
)
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import (
    CustomerKind,
    CustomFieldDefinition,
    CustomFieldType,
    Gender,
    Industry,
    SourceChannel,
    ValueTier,
)
from guanxi.org.models import Branch, Profile
from guanxi.org.selectors import account_managers_for_user
from guanxi.web.widgets import DatePicker


def _custom_form_field(definition: CustomFieldDefinition) -> forms.Field:
    common = {"label": definition.label, "required": False}
    kind = definition.field_type
    if kind == CustomFieldType.NUMBER:
        return forms.DecimalField(**common, widget=forms.NumberInput(attrs={"step": "any"}))
    if kind == CustomFieldType.DATE:
        return forms.DateField(**common, widget=DatePicker())
    if kind == CustomFieldType.CHOICE:
        return forms.ChoiceField(
            **common, choices=blank_choice("—") + [(c, c) for c in definition.choices]
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


# Fields only one kind of customer has; the forms show the customer's kind's only.
PERSON_FIELDS = ("id_number", "gender", "birthday")
ORGANISATION_FIELDS = ("uscc", "legal_representative", "registered_capital", "industry")


class CustomerProfileForm(ServiceErrorsMixin, forms.Form):
    """The profile fields the create and edit forms share, for one kind of customer."""

    FIELD_MAP = {"branch_id": "branch", "owner_id": "owner"}

    name = forms.CharField(label=_("Name"), max_length=200)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, required=False)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,  # spaces and dashes are allowed while typing; 18 characters are kept
        required=False,
    )
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DatePicker())
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=100, required=False
    )
    registered_capital = forms.DecimalField(
        label=_("Registered capital (yuan)"),
        required=False,
        min_value=0,
        max_digits=15,  # below 10^13, as every amount
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    occupation = forms.CharField(label=_("Industry / occupation"), max_length=100, required=False)
    external_id = forms.CharField(label=_("External system ID"), max_length=64, required=False)
    source_channel = forms.ChoiceField(label=_("Source channel"), required=False)
    branch = forms.ChoiceField(label=_("Branch"))
    owner = forms.ChoiceField(label=_("Account manager"), required=False)

    def _prepare(self, kind: str) -> None:
        """Choices, the kind's fields only, and input types (call at the end of __init__)."""
        self.fields["source_channel"].choices = blank_choice("—") + list(SourceChannel.choices)
        self.fields["industry"].choices = blank_choice("—") + list(Industry.choices)
        foreign = ORGANISATION_FIELDS if kind == CustomerKind.INDIVIDUAL else PERSON_FIELDS
        for name in foreign:
            self.fields.pop(name, None)
        for name, mode in (("phone", "tel"), ("email", "email")):
            if name in self.fields:
                self.fields[name].widget.attrs.setdefault("inputmode", mode)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class CustomerEditForm(CustomerProfileForm):
    """Edit a customer as the viewer sees them.

    Personal fields follow the viewer's access as the selector presented it: a field the
    viewer may not see is left out; a masked field starts empty (the masked value is the
    placeholder) and is only changed when something is typed. ``version`` carries the
    version the form was read at, so a concurrent change is refused instead of overwritten.
    An organisation's form has no resident ID, gender or birthday; an individual's no
    organisation fields.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerKind.choices)
    value_tier = forms.ChoiceField(label=_("Value tier"), choices=ValueTier.choices)

    field_order = ["version", "kind", "name"]

    def __init__(self, profile: dict, *args, viewer: policy.Viewer, **kwargs) -> None:
        self.masked = set(profile["masked"])
        super().__init__(*args, initial=self._initial(profile), **kwargs)
        self.fields["branch"].choices = branch_choices()
        # An owner belongs to the customer's branch; moving branch is a transfer.
        owners = account_manager_choices(viewer, profile["branch"]["id"])
        current = profile["owner"]
        if current and str(current["id"]) not in dict(owners):
            # The current owner may have left the role; keep them choosable so an
            # unrelated edit does not fail on a field the user never touched.
            owners.append((str(current["id"]), current["name"]))
        self.fields["owner"].choices = blank_choice(_("None")) + owners
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
        self._prepare(profile["kind"])

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
                *ORGANISATION_FIELDS,
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


def _placements(viewer: policy.Viewer) -> tuple[list[tuple[str, str]], list[Profile], bool]:
    """Where the viewer may put a new customer, as the policy's ``customer.create`` says:
    the branches, the account managers who may own it, and whether it may have no owner."""
    branches = list(Branch.objects.order_by("code"))
    ownerless = {
        b.pk for b in branches if policy.allows(viewer, "customer.create", _planned(None, b.pk))
    }
    owners = [
        p
        for p in account_managers_for_user(viewer)
        if policy.allows(viewer, "customer.create", _planned(p.user_id, p.branch_id))
    ]
    reachable = ownerless | {p.branch_id for p in owners}
    choices = [(str(b.pk), b.name) for b in branches if b.pk in reachable]
    return choices, owners, bool(ownerless)


def _planned(owner_id: int | None, branch_id: int | None) -> policy.CustomerRef:
    return policy.CustomerRef(pk=0, owner_id=owner_id, branch_id=branch_id)


class CustomerCreateForm(CustomerProfileForm):
    """A new individual or organisation, placed where the viewer may create customers.

    The branch and owner offered are those ``customer.create`` allows the viewer; with
    several branches the account managers are grouped by branch (an owner belongs to the
    customer's branch, which the service checks).
    """

    kind = forms.ChoiceField(choices=CustomerKind.choices, widget=forms.HiddenInput)

    field_order = ["kind", "name"]

    def __init__(self, *args, viewer: policy.Viewer, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        branches, owners, ownerless = _placements(viewer)
        self.fields["branch"].choices = branches
        owner_choices: list = [(str(p.user_id), staff_name(p)) for p in owners]
        if len(branches) > 1:
            names = dict(branches)
            grouped: dict[str, list] = {}
            for p in owners:
                grouped.setdefault(names.get(str(p.branch_id), ""), []).append(
                    (str(p.user_id), staff_name(p))
                )
            owner_choices = list(grouped.items())
        none = blank_choice(_("None")) if ownerless else []
        self.fields["owner"].choices = none + owner_choices
        self.fields["owner"].required = not ownerless
        self.initial.setdefault("kind", kind)
        if str(viewer.branch_id) in dict(branches):
            self.initial.setdefault("branch", str(viewer.branch_id))
        if any(p.user_id == viewer.user_id for p in owners):
            self.initial.setdefault("owner", str(viewer.user_id))
        if kind == CustomerKind.ORGANISATION:
            self.fields.pop("occupation")  # an organisation's line of business is its industry
        self._prepare(kind)

    def new_customer(self) -> CustomerFields:
        """The fields filled in, as ``customer_create`` expects them (after ``is_valid``)."""
        data: dict = {}
        for name, value in self.cleaned_data.items():
            if name == "branch":
                data["branch_id"] = int(value)
            elif name == "owner":
                data["owner_id"] = int(value) if value else None
            elif value not in (None, ""):
                data[name] = value
        return CustomerFields.from_mapping(data)
