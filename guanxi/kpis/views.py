"""The process-KPI dashboard: parse the query, read the figures, render (HTMX: the results
only)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from guanxi import policy
from guanxi.customers.models import LifecycleStatus
from guanxi.kpis.charts import chart_data, stage_table
from guanxi.kpis.forms import GROUPINGS, ProcessKpiForm
from guanxi.kpis.scope import kpi_scope_for_user
from guanxi.kpis.selectors import kpi_choices_for_user, process_kpis_for_user
from guanxi.request_context import viewer_of
from guanxi.web.htmx import is_htmx


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Contacts, coverage, lead response, pipeline, lifecycle and revenue figures of the
    viewer's scope over a period, per account manager, team or branch."""
    viewer = viewer_of(request)
    choices = kpi_choices_for_user(viewer=viewer)
    form = ProcessKpiForm(request.GET, choices=choices, today=timezone.localdate())
    chosen = form.chosen()  # an invalid query shows its errors over the default view
    period = chosen.pop("period")
    scope = kpi_scope_for_user(viewer=viewer, **chosen)
    data = process_kpis_for_user(scope=scope, period=period)
    shown = {
        "form": form,
        "kpis": data,
        "chart": chart_data(data),
        "pipelines": stage_table(data),
        "period": period,
        "statuses": LifecycleStatus,
        "group_label": dict(GROUPINGS)[scope.group_by],
        "can_see_dashboard": policy.allows(viewer, "analytics.view"),
        "can_see_kpis": policy.allows(viewer, "kpi.view"),
        "can_see_process_kpis": True,
    }
    template = "kpis/partials/results.html" if is_htmx(request) else "kpis/dashboard.html"
    response = render(request, template, shown)
    patch_vary_headers(response, ("HX-Request",))
    return response
