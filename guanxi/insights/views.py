"""Analytics pages: the dashboard, its "run now" button and the KPI page.

Views only parse the request, call a selector or service (which apply the permission
policy) and render.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi import policy
from guanxi.insights import kpi_selectors, selectors, services, trend_selectors
from guanxi.insights.models import PeriodKind
from guanxi.request_context import context_of, viewer_of

CHANNEL = "web"


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Pyramid, RFM, concentration, CLV, the churn-risk list and the trends across runs of
    the viewer's customers."""
    viewer = viewer_of(request)
    data = selectors.dashboard(viewer, context_of(request, CHANNEL))
    if data["can_see_kpis"]:
        data["trends"] = trend_selectors.run_trend_list_for_user(viewer=viewer)
    data["money_units"] = kpi_selectors.money_units()
    data["can_see_process_kpis"] = policy.allows(viewer, "process_kpi.view")
    return render(request, "insights/dashboard.html", data)


@login_required
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    """Queue an analysis run for the background worker."""
    run = services.queue_analysis(viewer=viewer_of(request), context=context_of(request, CHANNEL))
    messages.success(
        request,
        _("Analysis run #%(id)s is queued; the page shows its results once it has finished.")
        % {"id": run.pk},
    )
    return redirect("analytics:list")


class KpiFilter(forms.Form):
    """The KPI page's query: period kind and, for company-wide viewers, one branch."""

    period = forms.ChoiceField(choices=PeriodKind.choices, required=False)
    branch = forms.IntegerField(required=False, min_value=1)


@login_required
@require_GET
def kpis(request: HttpRequest) -> HttpResponse:
    """Retention, churn, products, cross-sell, referral, revenue and profit per customer of
    the viewer's customers, per period (and per branch for those who see every branch)."""
    query = KpiFilter(request.GET)
    # a malformed query shows the default view instead of an error page
    chosen = query.cleaned_data if query.is_valid() else {}
    viewer = viewer_of(request)
    data = kpi_selectors.kpi_list_for_user(
        viewer=viewer,
        period_kind=chosen.get("period") or PeriodKind.MONTH,
        branch_id=chosen.get("branch"),
    )
    data["can_see_process_kpis"] = policy.allows(viewer, "process_kpi.view")
    return render(request, "insights/kpis.html", data | {"period_kinds": PeriodKind.choices})
