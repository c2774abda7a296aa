"""The forms of the case pages: they parse; the services validate and decide."""

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms import ServiceErrorsMixin, blank_choice
from guanxi.service import case_clock
from guanxi.service.case_models import OPEN_STATES
from guanxi.service.case_types import CaseChannel, CasePriority, CaseState, CaseType

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
ID_LIMIT = 2**63 - 1
Choices = Sequence[tuple[int, str]]


def _choices(form: forms.Form, name: str, choices: list) -> None:
    form.fields[name].choices = choices  # type: ignore[attr-defined]


class QueueFilterForm(forms.Form):
    """The desk queue's filters (read from the query string; a bad value is ignored)."""

    state = forms.ChoiceField(
        label=_("State"), required=False, widget=forms.Select(attrs=SELECT),
        choices=[*blank_choice(_("Any open state")),
                 *[(s.value, s.label) for s in CaseState if s in OPEN_STATES]],
    )  # fmt: skip
    case_type = forms.ChoiceField(
        label=_("Type"), required=False, widget=forms.Select(attrs=SELECT),
        choices=[*blank_choice(_("Any type")), *CaseType.choices],
    )  # fmt: skip
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, widget=forms.Select(attrs=SELECT),
        choices=[*blank_choice(_("Any priority")), *CasePriority.choices],
    )  # fmt: skip
    queue_id = forms.TypedChoiceField(
        label=_("Queue"), required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    sla_status = forms.ChoiceField(
        label=_("SLA status"), required=False, widget=forms.Select(attrs=SELECT),
        choices=[*blank_choice(_("Any SLA status")), *case_clock.STATUS_LABELS.items()],
    )  # fmt: skip

    def __init__(self, *args, queues: Choices = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "queue_id", [*blank_choice(_("Any queue")), *queues])

    def values(self) -> dict:
        """The valid filters given (an invalid one is dropped, not an error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "") and k not in self.errors}


class CaseForm(ServiceErrorsMixin, forms.Form):
    """The fields of a new case."""

    case_type = forms.ChoiceField(
        label=_("Type"), choices=CaseType.choices, widget=forms.Select(attrs=SELECT)
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=CaseChannel.choices, widget=forms.Select(attrs=SELECT)
    )
    category_id = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    priority = forms.ChoiceField(
        label=_("Priority"), choices=CasePriority.choices, initial=CasePriority.NORMAL,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    customer_id = forms.IntegerField(
        label=_("Customer ID"), min_value=1, max_value=ID_LIMIT,
        widget=forms.NumberInput(attrs={**TEXT, "inputmode": "numeric"}),
    )  # fmt: skip
    product_id = forms.TypedChoiceField(
        label=_("Product"), required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    subject = forms.CharField(
        label=_("Subject"), max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
    )  # fmt: skip
    queue_id = forms.TypedChoiceField(
        label=_("Queue"), required=False, coerce=int, empty_value=None,
        help_text=_("Left empty: the category's queue, else the owning department's."),
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    on_the_spot = forms.BooleanField(
        label=_("Complaint solved on the spot (closes it at once)"), required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )  # fmt: skip
    spot_note = forms.CharField(
        label=_("How it was solved"), required=False, max_length=1000,
        widget=forms.TextInput(attrs=TEXT),
    )  # fmt: skip

    FIELD_MAP = {"note": "spot_note"}

    def __init__(
        self,
        *args,
        categories: Choices = (),
        products: Choices = (),
        queues: Choices = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "category_id", [*blank_choice("—"), *categories])
        _choices(self, "product_id", [*blank_choice("—"), *products])
        _choices(self, "queue_id", [*blank_choice("—"), *queues])

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("on_the_spot"):
            if data.get("case_type") != CaseType.COMPLAINT:
                self.add_error("on_the_spot", _("Only a complaint is solved on the spot."))
            elif not (data.get("spot_note") or "").strip():
                self.add_error("spot_note", _("Say how it was solved on the spot."))
        return data


class TransitionForm(ServiceErrorsMixin, forms.Form):
    """A move to another state, with the complaint rules' fields where they are needed."""

    state = forms.ChoiceField(choices=CaseState.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": _("Note (optional)")}),
    )  # fmt: skip
    promised_reply_at = forms.DateTimeField(
        label=_("Reply promised to the customer by"), required=False,
        widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"},
                                   format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    root_cause_id = forms.TypedChoiceField(
        label=_("Root cause"), required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    customer_confirmed = forms.BooleanField(
        label=_("The customer confirmed the solution"), required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )  # fmt: skip
    contact_attempted = forms.BooleanField(
        label=_("We tried to reach the customer"), required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )  # fmt: skip
    compensation = forms.DecimalField(
        label=_("Compensation (refunds, fees waived)"), required=False, min_value=0,
        max_digits=14, decimal_places=2,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip
    version = forms.IntegerField(min_value=1, max_value=2**31 - 2, widget=forms.HiddenInput)

    def __init__(self, *args, root_causes: Choices = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "root_cause_id", [*blank_choice("—"), *root_causes])


class AssignForm(ServiceErrorsMixin, forms.Form):
    """Give the case to an agent, a queue, or both."""

    owner_id = forms.TypedChoiceField(
        label=_("Agent"), required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    queue_id = forms.TypedChoiceField(
        label=_("Queue"), required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.TextInput(attrs=TEXT)
    )
    version = forms.IntegerField(min_value=1, max_value=2**31 - 2, widget=forms.HiddenInput)

    def __init__(self, *args, agents: Choices = (), queues: Choices = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "owner_id", [*blank_choice("—"), *agents])
        _choices(self, "queue_id", [*blank_choice("—"), *queues])
