"""The KPI dashboard's query: a period, a grouping, and a branch, team or colleague in reach."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.kpis.period import Period

GROUPINGS = (("owner", _("Account manager")), ("team", _("Team")), ("branch", _("Branch")))
PRESETS = (("week", _("This week")), ("month", _("This month")), ("quarter", _("This quarter")))


class ProcessKpiForm(forms.Form):
    """What the page shows: without dates, the month holding today."""

    period_start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUPINGS, required=False)
    branch = forms.TypedChoiceField(label=_("Branch"), coerce=int, required=False, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    owner = forms.TypedChoiceField(
        label=_("Account manager"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, choices: dict, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        everyone = [("", _("All in my scope"))]
        for name, listed in (("branch", "branches"), ("team", "teams"), ("owner", "owners")):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = everyone + list(choices[listed])
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        """Both days or neither (then the month holding today), checked as the API does."""
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start is None and end is None and not self.errors:
            data["period"] = Period.preset("month", self.today)
        elif not self.errors:
            try:
                data["period"] = Period.of(start, end)
            except forms.ValidationError as refused:
                self.add_error(None, refused)
        return data

    def chosen(self) -> dict[str, Any]:
        """The valid query, or the default view (this month, by account manager)."""
        if self.is_valid():
            data = self.cleaned_data
            return {
                "period": data["period"],
                "group_by": data.get("group_by") or "owner",
                "branch_id": data.get("branch"),
                "team_id": data.get("team"),
                "owner_id": data.get("owner"),
            }
        return {"period": Period.preset("month", self.today), "group_by": "owner"}

    def presets(self) -> list[tuple[str, str, Period]]:
        """The preset periods holding today, with their names."""
        return [(key, str(name), Period.preset(key, self.today)) for key, name in PRESETS]
