"""Analytics pages: the dashboard and its "run now" button.

Views only parse the request, call a selector or service (which apply the permission
policy) and render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.insights import selectors, services
from guanxi.request_context import context_of, viewer_of

CHANNEL = "web"


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Pyramid, RFM, concentration, CLV and the churn-risk list of the viewer's customers."""
    data = selectors.dashboard(viewer_of(request), context_of(request, CHANNEL))
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
