"""The forms of the sales pages: they parse; the services validate and decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms import ServiceErrorsMixin, blank_choice
from guanxi.customers.models import Product
from guanxi.sales.inputs import TeamMember
from guanxi.sales.models import LossReason, Pipeline, Stage
from guanxi.storable import MONEY_LIMIT

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}


def _products():
    return blank_choice("—") + [(p.pk, f"{p.name} ({p.code})") for p in Product.objects.all()]


class OpportunityForm(ServiceErrorsMixin, forms.Form):
    """The fields of an opportunity an editor fills in."""

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        min_value=0,
        max_value=MONEY_LIMIT - 1,
        decimal_places=2,
        initial=0,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.01", "inputmode": "decimal"}),
    )
    product_id = forms.TypedChoiceField(
        label=_("Product"), coerce=int, empty_value=None, required=False,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    next_step = forms.CharField(
        label=_("Next step"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    next_step_due = forms.DateField(
        label=_("Next step due"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Empty: the stage's default probability."),
        widget=forms.NumberInput(attrs=TEXT),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_id"].choices = _products()  # type: ignore[attr-defined]


class OpportunityCreateForm(OpportunityForm):
    """A new opportunity: also the customer and the pipeline."""

    customer_id = forms.IntegerField(
        label=_("Customer ID"),
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.NumberInput(attrs=TEXT),
    )
    pipeline_id = forms.TypedChoiceField(
        label=_("Pipeline"), coerce=int, empty_value=None, required=False,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip

    field_order = ["customer_id", "name", "pipeline_id"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pipeline_id"].choices = [  # type: ignore[attr-defined]
            (p.pk, p.name) for p in Pipeline.objects.filter(active=True)
        ]


class OpportunityEditForm(OpportunityForm):
    """Changes to an opportunity, based on the version read; the owner from the branch's
    account managers and team leads (the service decides whom the editor may choose)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 2)
    owner_id = forms.TypedChoiceField(
        label=_("Owner"), coerce=int, widget=forms.Select(attrs=SELECT)
    )

    field_order = ["name", "owner_id"]

    def __init__(self, *args, owners: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = owners  # type: ignore[attr-defined]


class StageMoveForm(ServiceErrorsMixin, forms.Form):
    """A move to another stage (the board posts the same fields)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 2)
    stage_id = forms.TypedChoiceField(
        label=_("Move to"), coerce=int, widget=forms.Select(attrs=SELECT)
    )
    loss_reason = forms.ChoiceField(
        label=_("Loss reason"),
        choices=blank_choice("—") + list(LossReason.choices),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    loss_note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args, stages: list[Stage], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage_id"].choices = [(s.pk, s.name) for s in stages]  # type: ignore[attr-defined]


class LoseForm(ServiceErrorsMixin, forms.Form):
    """Close as lost: a reason from the list, and a note."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 2)
    loss_reason = forms.ChoiceField(
        label=_("Loss reason"),
        choices=blank_choice("—") + list(LossReason.choices),
        widget=forms.Select(attrs=SELECT),
    )
    loss_note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class VersionForm(forms.Form):
    """Only the version read (winning)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 2)


TEAM_ROWS = 5


class TeamForm(forms.Form):
    """An opportunity's team: up to five colleagues, each with a share; empty rows ignored."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 2)

    def __init__(self, *args, colleagues: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = blank_choice("—") + colleagues
        for row in range(TEAM_ROWS):
            self.fields[f"user_{row}"] = forms.TypedChoiceField(
                label=_("Colleague"), coerce=int, empty_value=None, required=False,
                choices=choices, widget=forms.Select(attrs=SELECT),
            )  # fmt: skip
            self.fields[f"share_{row}"] = forms.DecimalField(
                label=_("Share (%)"), min_value=0, max_value=100, decimal_places=2,
                required=False, widget=forms.NumberInput(attrs={**TEXT, "step": "0.01"}),
            )  # fmt: skip
            self.fields[f"role_{row}"] = forms.CharField(
                label=_("Role on the team"), max_length=100, required=False,
                widget=forms.TextInput(attrs=TEXT),
            )  # fmt: skip

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        """The fields of each row, for the template."""
        return [
            (self[f"user_{row}"], self[f"share_{row}"], self[f"role_{row}"])
            for row in range(TEAM_ROWS)
        ]

    def members(self) -> list[TeamMember]:
        """The rows that name a colleague, as the service takes them."""
        data = self.cleaned_data
        return [
            TeamMember(data[f"user_{row}"], data[f"share_{row}"] or Decimal(0), data[f"role_{row}"])
            for row in range(TEAM_ROWS)
            if data.get(f"user_{row}") is not None
        ]
