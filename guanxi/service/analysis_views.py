"""The desk's analysis page: the root-cause Pareto, repeat complaints, recurrence after
corrective actions, resolution times by a chosen group and the common needs by month, over
a period (the last 365 days unless chosen)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from guanxi import policy
from guanxi.request_context import viewer_of
from guanxi.service import case_analysis

BY_LABELS = {
    "category": _("Category"),
    "department": _("Department"),
    "branch": _("Branch"),
    "agent": _("Agent"),
}
DATE = {"class": "form-control", "type": "date"}


class AnalysisForm(forms.Form):
    """The period and the grouping of resolution times."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(DATE))
    end = forms.DateField(label=_("Until (exclusive)"), required=False,
                          widget=forms.DateInput(DATE))  # fmt: skip
    by = forms.ChoiceField(
        label=_("Resolution times by"), required=False, choices=list(BY_LABELS.items()),
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip

    def clean(self) -> dict:
        data = super().clean()
        try:
            start, end = case_analysis.analysis_period(start=data.get("start"), end=data.get("end"))
        except ValidationError as error:
            self.add_error(None, error)
            return data
        return {**data, "start": start, "end": end, "by": data.get("by") or "category"}


@login_required
@require_GET
def case_analysis_page(request: HttpRequest) -> HttpResponse:
    """Root causes, repeats, recurrence, resolution times and needs over the period."""
    viewer = viewer_of(request)
    policy.require(viewer, "case.analyse")
    form = AnalysisForm(request.GET)
    context: dict = {"form": form}
    if form.is_valid():
        period = {"start": form.cleaned_data["start"], "end": form.cleaned_data["end"]}
        by = form.cleaned_data["by"]
        pareto = case_analysis.root_cause_pareto(viewer=viewer, **period)
        needs = case_analysis.needs_by_month(viewer=viewer, **period)
        context |= {
            "pareto": pareto,
            "repeat_customers": case_analysis.repeat_complaints(viewer=viewer, **period),
            "repeat_products": case_analysis.repeat_complaints(
                viewer=viewer, by="product", **period
            ),
            "recurrence": case_analysis.recurrence_after_actions(viewer=viewer),
            "resolution": case_analysis.resolution_times(viewer=viewer, by=by, **period),
            "by_label": BY_LABELS[by],
            "departments": case_analysis.department_times(viewer=viewer, **period),
            "charts": {
                "pareto": {
                    "causes": [r.label for r in pareto],
                    "complaints": [r.complaints for r in pareto],
                    "cumulative": [round(r.cumulative, 4) for r in pareto],
                    "names": {
                        "complaints": str(_("Complaints")),
                        "cumulative": str(_("Cumulative share")),
                    },
                },  # fmt: skip
                "needs": {
                    "months": [m.strftime("%Y-%m") for m in needs.months],
                    "series": [{"name": name, "data": counts} for name, counts in needs.series],
                },
            },
        }
    return render(request, "service/analysis.html", context)
