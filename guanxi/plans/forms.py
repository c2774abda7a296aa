"""The forms of the plan pages: they parse; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms import ServiceErrorsMixin
from guanxi.plans.models import PlannedKind, PlanPeriod, ReviewChange, TargetMetric
from guanxi.storable import MONEY_LIMIT
from guanxi.web.widgets import DatePicker

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
VERSION = {"min_value": 1, "max_value": 2**31 - 2, "widget": forms.HiddenInput}


class NewPlanForm(ServiceErrorsMixin, forms.Form):
    """Which plan to make: the week or month holding a day, for whom."""

    FIELD_MAP = {"starts_on": "day", "owner_id": "owner"}

    period = forms.ChoiceField(choices=PlanPeriod.choices, widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.HiddenInput)
    owner = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class ItemForm(ServiceErrorsMixin, forms.Form):
    """A contact to plan with a customer of the portfolio."""

    FIELD_MAP = {"customer_id": "customer"}

    version = forms.IntegerField(**VERSION)  # type: ignore[arg-type]
    customer = forms.TypedChoiceField(
        label=_("Customer"), coerce=int, widget=forms.Select(attrs=SELECT)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PlannedKind.choices, widget=forms.Select(attrs=SELECT)
    )
    planned_on = forms.DateField(label=_("Day"), required=False, widget=DatePicker(attrs=TEXT))
    purpose = forms.CharField(
        label=_("Purpose"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args, customers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = list(customers)  # type: ignore[attr-defined]


class TargetsForm(ServiceErrorsMixin, forms.Form):
    """The plan's note and a target per metric (empty: none)."""

    version = forms.IntegerField(**VERSION)  # type: ignore[arg-type]
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for metric in TargetMetric:
            self.fields[f"targets.{metric.value}"] = forms.DecimalField(
                label=metric.label, required=False, min_value=0, max_value=MONEY_LIMIT - 1,
                decimal_places=2, widget=forms.NumberInput(attrs={**TEXT, "step": "any"}),
            )  # fmt: skip

    def targets(self) -> dict:
        """The targets given, by metric."""
        return {
            metric: self.cleaned_data[f"targets.{metric}"]
            for metric in TargetMetric.values
            if self.cleaned_data.get(f"targets.{metric}") is not None
        }


class ReviewForm(ServiceErrorsMixin, forms.Form):
    """A week's review: what changed for each planned contact's customer, with a note."""

    version = forms.IntegerField(**VERSION)  # type: ignore[arg-type]

    def __init__(self, *args, items=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item_ids = [item.pk for item in items]
        for item in items:
            review = getattr(item, "review", None)
            self.fields[f"change_{item.pk}"] = forms.ChoiceField(
                label=item.customer.name, choices=ReviewChange.choices,
                initial=review.change if review else ReviewChange.NONE,
                widget=forms.Select(attrs={**SELECT, "data-item": item.pk}),
            )  # fmt: skip
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"), max_length=500, required=False,
                initial=review.note if review else "", widget=forms.TextInput(attrs=TEXT),
            )  # fmt: skip

    def rows(self) -> list[tuple]:
        """(change field, note field) per planned contact, for the template."""
        return [(self[f"change_{i}"], self[f"note_{i}"]) for i in self.item_ids]

    def lines(self) -> list[dict]:
        """The review lines, one per planned contact."""
        return [
            {"item_id": i, "change": self.cleaned_data[f"change_{i}"],
             "note": self.cleaned_data[f"note_{i}"]}
            for i in self.item_ids
        ]  # fmt: skip
