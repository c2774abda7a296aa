"""The scheduling form of the calendar page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.activities.forms import MOMENT_FORMAT, MomentPicker
from guanxi.activities.models import ActivityKind


class MeetingForm(forms.Form):
    """A meeting or visit: customer, time, participants, reminder; the override when asked."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in (ActivityKind.MEETING, ActivityKind.VISIT)],
    )
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=MomentPicker(), input_formats=[MOMENT_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), required=False, widget=MomentPicker(), input_formats=[MOMENT_FORMAT]
    )
    participants = forms.TypedMultipleChoiceField(
        label=_("Participants"), required=False, coerce=int
    )
    remind_minutes = forms.IntegerField(
        label=_("Remind me (minutes before)"), min_value=0, max_value=7 * 24 * 60, initial=15
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10000, widget=forms.Textarea({"rows": 2})
    )
    override_conflicts = forms.BooleanField(label=_("Book it anyway"), required=False)

    def __init__(self, *args, customers=(), colleagues=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = list(customers)
        self.fields["participants"].choices = list(colleagues)
        self.fields["participants"].widget.attrs["size"] = 4
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
