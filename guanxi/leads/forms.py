"""The forms of the lead pages: they parse; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms import ServiceErrorsMixin, blank_choice
from guanxi.leads.models import LeadSource, LeadStatus
from guanxi.storable import MONEY_LIMIT

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class LeadForm(ServiceErrorsMixin, forms.Form):
    """The fields of a lead a user fills in."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    source = forms.ChoiceField(
        label=_("Source"), choices=LeadSource.choices, widget=forms.Select(attrs=SELECT)
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "tel"}),
    )  # fmt: skip
    email = forms.CharField(
        label=_("Email"), max_length=254, required=False,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "email"}),
    )  # fmt: skip
    id_number = forms.CharField(
        label=_("Resident ID number"), max_length=30, required=False,
        widget=forms.TextInput(attrs=TEXT),
    )  # fmt: skip
    company = forms.CharField(
        label=_("Company"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    industry = forms.CharField(
        label=_("Industry"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    territory = forms.CharField(
        label=_("Territory"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    referrer_id = forms.IntegerField(
        label=_("Referred by (customer ID)"), required=False, min_value=1, max_value=2**63 - 1,
        widget=forms.NumberInput(attrs=TEXT),
    )  # fmt: skip
    campaign = forms.CharField(
        label=_("Campaign or event"), max_length=200, required=False,
        widget=forms.TextInput(attrs=TEXT),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )  # fmt: skip


class StatusForm(ServiceErrorsMixin, forms.Form):
    """A status move, with a reason where one is needed."""

    status = forms.ChoiceField(
        label=_("New status"), choices=LeadStatus.choices, widget=forms.Select(attrs=SELECT)
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, statuses: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if statuses is not None:
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (s, LeadStatus(s).label) for s in statuses
            ]


class AssignForm(ServiceErrorsMixin, forms.Form):
    """Give the lead to a colleague."""

    owner_id = forms.TypedChoiceField(
        label=_("New owner"), coerce=int, widget=forms.Select(attrs=SELECT)
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, owners: list[tuple[int, str]] = (), **kwargs) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = blank_choice("—") + list(owners)  # type: ignore[attr-defined]


class ConvertForm(ServiceErrorsMixin, forms.Form):
    """Convert the lead, and perhaps open an opportunity."""

    with_opportunity = forms.BooleanField(
        label=_("Open an opportunity too"), required=False, initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    opportunity_name = forms.CharField(
        label=_("Opportunity name"), max_length=200, required=False,
        widget=forms.TextInput(attrs=TEXT),
    )  # fmt: skip
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=0, max_value=MONEY_LIMIT - 1, decimal_places=2,
        initial=0, required=False,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
