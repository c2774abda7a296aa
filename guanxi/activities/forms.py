"""Forms of the activity pages: log or edit an activity, reschedule, and a contact rule."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.activities.models import ActivityKind, ActivityStatus, ContactChannel
from guanxi.web.widgets import DatePicker

MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


class MomentPicker(forms.DateTimeInput):
    """The browser's date and time picker (local time; Django reads it in the time zone)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format=MOMENT_FORMAT)


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class ActivityForm(forms.Form):
    """An activity's fields as a page edits them."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    opportunity = forms.TypedChoiceField(
        label=_("Opportunity"), required=False, coerce=int, empty_value=None
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Time"), required=False, widget=MomentPicker(), input_formats=[MOMENT_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), required=False, widget=MomentPicker(), input_formats=[MOMENT_FORMAT]
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=DatePicker())
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", "—"), *ContactChannel.choices]
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10000, widget=forms.Textarea({"rows": 3})
    )
    outcome = forms.CharField(
        label=_("Outcome"), required=False, max_length=4000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(
        self, *args, kinds=None, opportunities=(), about_lead: bool = False, **kwargs
    ) -> None:
        """``opportunities``: (id, name) of the customer's opportunities one may choose; an
        activity ``about_lead`` alone has no opportunity field."""
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = kinds
        if about_lead:
            del self.fields["opportunity"]
        else:
            self.fields["opportunity"].choices = [("", "—"), *opportunities]
        _styled(self)

    def values(self) -> dict:
        """The cleaned values for the services (empty times left out for a new one)."""
        data = dict(self.cleaned_data)
        if data.get("starts_at") is None:
            data.pop("starts_at", None)
        if "opportunity" in data:
            data["opportunity_id"] = data.pop("opportunity")
        return data

    def apply_service_errors(self, exc: ValidationError) -> None:
        """Show a service's field errors on the fields (others above the form)."""
        for name, messages in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class QuickLogForm(ActivityForm):
    """The one-step form on the 360 page: kind, subject, outcome (done, now)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("ends_at", "due_on", "status", "description", "opportunity"):
            del self.fields[name]
        self.fields["subject"].initial = ""


class RescheduleForm(forms.Form):
    """A new due date."""

    due_on = forms.DateField(label=_("New due date"), widget=DatePicker())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class ContactRuleForm(forms.Form):
    """One tier's rule."""

    every_days = forms.IntegerField(label=_("Every (days)"), min_value=1, max_value=3650)
    kind = forms.ChoiceField(
        label=_("By"),
        choices=[
            (k.value, k.label)
            for k in (ActivityKind.VISIT, ActivityKind.CALL, ActivityKind.MEETING)
        ],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
