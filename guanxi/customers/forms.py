"""Forms of the customer pages: search and filters, lifecycle, reveal, and what the profile
forms (``profile_forms``) share.

The forms parse and render; the rules live in the services and selectors. Each form maps
the services' ``ValidationError`` (keyed by service field names such as ``owner_id`` or
``custom_fields.<key>``) back onto its own fields, so every message appears next to the
input it is about.
"""

from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi import policy
from guanxi.customers import lifecycle, list_analytics
from guanxi.customers.models import CustomerGroup, LifecycleStatus, Tag, ValueTier
from guanxi.org.models import Branch, Profile
from guanxi.org.selectors import account_managers_for_user

SORT_CHOICES = [
    ("name", _("Name (pinyin)")),
    ("-created_at", _("Newest customers first")),
    ("created_at", _("Oldest customers first")),
    ("-lifetime_revenue", _("Highest lifetime revenue")),
    ("-last_purchase_at", _("Most recent purchase")),
    ("-value_at_risk", _("Largest value at risk")),
    ("-score", _("Highest score")),
    ("-clv", _("Highest lifetime value")),
    ("-value", _("Highest value")),
    ("-aum", _("Largest AUM")),
    ("-profit_12m", _("Most profitable")),
    ("profit_12m", _("Least profitable first")),
]
# The filters by the latest analysis run (``list_analytics``), folded away under the others.
ANALYTICS_FIELDS: tuple[str, ...] = ("segment", "pyramid_level", "churn_warning", "churn_kind")
ANALYTICS_FIELDS += ("churn_priority", "min_score")


def blank_choice(label: str | Promise) -> list[tuple[str, str | Promise]]:
    """The choice of nothing, shown as ``label``."""
    return [("", label)]


def staff_name(profile: Profile) -> str:
    """A member of staff as choices show them: display name, else user name."""
    return profile.display_name or profile.user.get_username()


def account_manager_choices(
    viewer: policy.Viewer, branch_id: int | None = None
) -> list[tuple[str, str]]:
    """Active account managers the viewer may see (``staff.view``), optionally of one
    branch, as (user id, display name) choices."""
    return [(str(p.user_id), staff_name(p)) for p in account_managers_for_user(viewer, branch_id)]


def branch_choices() -> list[tuple[str, str]]:
    """All branches (organisation structure, not personal data)."""
    return [(str(b.pk), b.name) for b in Branch.objects.order_by("code")]


class ServiceErrorsMixin:
    """Puts the services' per-field messages on the form's fields (the rest on the form).

    ``FIELD_MAP`` renames service keys to form fields; ``custom_fields.<key>`` becomes
    ``cf_<key>``.
    """

    FIELD_MAP: dict[str, str] = {}
    if TYPE_CHECKING:  # the form's, which the mixin comes before
        fields: dict[str, forms.Field]

        def add_error(self, field: str | None, error: object) -> None: ...

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
    segment = forms.ChoiceField(label=_("RFM segment"), required=False)
    pyramid_level = forms.ChoiceField(label=_("Pyramid level"), required=False)
    churn_warning = forms.ChoiceField(label=_("Churn warning"), required=False)
    churn_kind = forms.ChoiceField(label=_("Churn warning kind"), required=False)
    churn_priority = forms.ChoiceField(label=_("Churn call list"), required=False)
    min_score = forms.IntegerField(
        label=_("Minimum score"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

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
            "segment": list_analytics.segment_choices(),
            "pyramid_level": list_analytics.level_choices(),
            "churn_warning": [("true", _("With a churn warning"))],
            "churn_kind": list_analytics.churn_kind_choices(),
            "churn_priority": [("true", _("On the call list"))],
        }
        for name, options in choices.items():
            select = cast(forms.ChoiceField, self.fields[name])
            select.choices = blank_choice(any_) + list(cast(list, options))
        for name, field in self.fields.items():
            if name not in ("q", "min_score"):
                field.widget.attrs["class"] = "form-select"

    def main_fields(self) -> list:
        """The filters always shown beside the search box."""
        return [f for f in self if f.name != "q" and f.name not in ANALYTICS_FIELDS]

    def analytics_fields(self) -> list:
        """The filters by the latest analysis run."""
        return [self[name] for name in ANALYTICS_FIELDS]

    def analytics_set(self) -> bool:
        """Whether an analytics filter is set (its fold is then open)."""
        return any(self.data.get(name) not in (None, "") for name in ANALYTICS_FIELDS)

    def filters_set(self) -> bool:
        """Whether a filter other than the search box is set (a phone then shows them)."""
        return any(self.data.get(f.name) not in (None, "") for f in self if f.name != "q")

    def list_filter(self) -> dict:
        """The filters set, as ``customer_list_for_user`` expects them (call after ``is_valid``)."""
        keys: tuple[str, ...] = ("q", "status", "value_tier", "branch_id", "owner_id")
        keys += ("group_id", "tag", *ANALYTICS_FIELDS)
        return {k: self.cleaned_data[k] for k in keys if self.cleaned_data.get(k) not in (None, "")}

    def sort_key(self) -> str:
        """The chosen sort order (call after ``is_valid``)."""
        return self.cleaned_data.get("sort") or "name"


class LifecycleForm(ServiceErrorsMixin, forms.Form):
    """Move a customer to another lifecycle status; the reason is kept in the history."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(
        label=_("New status"),
        choices=blank_choice("—") + list(LifecycleStatus.choices),  # no silent default
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, current_status: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the moves the lifecycle allows from where the customer stands.
        allowed = lifecycle.next_statuses(current_status)
        field = cast(forms.ChoiceField, self.fields["status"])
        field.choices = blank_choice("—") + [
            (value, label) for value, label in LifecycleStatus.choices if value in allowed
        ]


class RevealForm(ServiceErrorsMixin, forms.Form):
    """Why the viewer needs to see a masked value; stored with the audit entry."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("e.g. customer called to verify")}
        ),
    )
