"""Calendar pages: the day, week and month views (yours, a colleague's, your team's), the
scheduling form with colleagues' busy times and the double-booking override, the feed URL
settings, and the feed itself (no login: its secret URL is the key).

Views parse, call a service or selector, and render; an HTMX request gets a partial.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi import policy
from guanxi.activities.inputs import ActivityFields
from guanxi.customers.models import Customer
from guanxi.org.selectors import list_staff
from guanxi.request_context import context_of, viewer_of
from guanxi.scheduling import calendar, feed, notify, services
from guanxi.scheduling.forms import MeetingForm
from guanxi.web.htmx import is_htmx

CHANNEL = "web"
VIEWS = ("day", "week", "month")
CUSTOMER_CHOICES = 300


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return timezone.localdate()


def _span(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last-plus-one day a view shows around ``day``."""
    if view == "day":
        return day, day + dt.timedelta(days=1)
    monday = day - dt.timedelta(days=day.weekday())
    if view == "week":
        return monday, monday + dt.timedelta(days=7)
    first = day.replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    end = next_month + dt.timedelta(days=(7 - next_month.weekday()) % 7)
    return start, end


def _step(view: str, day: dt.date, forward: bool) -> dt.date:
    sign = 1 if forward else -1
    if view == "day":
        return day + dt.timedelta(days=sign)
    if view == "week":
        return day + dt.timedelta(days=7 * sign)
    first = day.replace(day=1)
    return (
        (first + dt.timedelta(days=32)).replace(day=1)
        if forward
        else (first - dt.timedelta(days=1)).replace(day=1)
    )


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """A day, week or month of the viewer's calendar, a colleague's, or the team's."""
    viewer, context = viewer_of(request), context_of(request, CHANNEL)
    view = request.GET.get("view", "week")
    view = view if view in VIEWS else "week"
    day = _day(request.GET.get("date", ""))
    team = request.GET.get("team") == "1"
    try:
        user_id = int(request.GET.get("user", "")) if request.GET.get("user") else None
        people = calendar.calendar_people(viewer=viewer, user_id=user_id, team=team)
    except (ValueError, ObjectDoesNotExist) as exc:
        raise Http404 from exc
    first, last = _span(view, day)
    span = calendar.Range(_moment(first), _moment(last))
    entries = calendar.calendar_entries(viewer=viewer, people=people, span=span, context=context)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days)]
    by_day: dict[dt.date, list[dict]] = {d: [] for d in days}
    for entry in entries:
        by_day.setdefault(timezone.localdate(entry["starts_at"]), []).append(entry)
    keep = {"view": view, **({"user": user_id} if user_id else {}), **({"team": 1} if team else {})}

    def link(**change) -> str:
        return "?" + urlencode({**keep, **change})

    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    context_data = {
        "view": view,
        "day": day,
        "today": timezone.localdate(),
        "days": [(d, by_day[d]) for d in days],
        "weeks": [[(d, by_day[d]) for d in week] for week in weeks],
        "views": [(v, link(view=v, date=day.isoformat())) for v in VIEWS],
        "previous": link(date=_step(view, day, False).isoformat()),
        "next": link(date=_step(view, day, True).isoformat()),
        "today_link": link(date=timezone.localdate().isoformat()),
        "colleagues": calendar.calendar_colleagues(viewer=viewer),
        "user_id": user_id,
        "team": team,
        "month": day.month,
    }
    if is_htmx(request):
        return render(request, "scheduling/partials/calendar.html", context_data)
    token = feed.feed_token_for_user(viewer=viewer, context=context, issue=False)
    return render(
        request,
        "scheduling/calendar.html",
        {
            **context_data,
            "can_schedule": policy.allows(viewer, "activity.log"),
            "feed_url": request.build_absolute_uri(reverse("calendar:feed", args=[token]))
            if token
            else "",
            "notifications": notify.notifications_for_user(viewer=viewer, limit=10),
        },
    )


def _form(request: HttpRequest, viewer: policy.Viewer, data=None) -> MeetingForm:
    customers = (
        policy.customer_scope(viewer, Customer.objects.all())
        .order_by("name", "pk")
        .values_list("pk", "name")[:CUSTOMER_CHOICES]
    )
    colleagues = [
        (s["id"], s["display_name"] or s["username"])
        for s in list_staff(viewer)
        if s["id"] != viewer.user_id
    ]
    start = (timezone.localtime() + dt.timedelta(hours=1)).replace(
        minute=0, second=0, microsecond=0
    )
    initial = {"starts_at": start, "ends_at": start + services.DEFAULT_MEETING}
    if request.GET.get("customer", "").isdigit():
        initial["customer"] = int(request.GET["customer"])
    return MeetingForm(data, customers=customers, colleagues=colleagues, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_page(request: HttpRequest) -> HttpResponse:
    """Schedule a meeting or visit: colleagues' busy times show as participants are chosen;
    a double booking is shown with the explicit choice to book it anyway."""
    viewer, context = viewer_of(request), context_of(request, CHANNEL)
    policy.require(viewer, "activity.log")
    form = _form(request, viewer, request.POST if request.method == "POST" else None)
    conflicts: list[dict] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = ActivityFields.from_mapping(
            {
                "kind": data["kind"],
                "customer_id": data["customer"],
                "subject": data["subject"],
                "starts_at": data["starts_at"],
                "ends_at": data["ends_at"],
                "description": data["description"],
                "participant_ids": data["participants"],
            }
        )
        try:
            activity = services.meeting_schedule(
                viewer=viewer,
                fields=fields,
                context=context,
                remind_minutes=data["remind_minutes"],
                override_conflicts=data["override_conflicts"],
            )
        except services.ScheduleConflict as exc:
            conflicts = exc.conflicts
            form.add_error("starts_at", exc.messages)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                target = {"customer_id": "customer", "participant_ids": "participants"}.get(
                    name, name
                )
                form.add_error(target if target in form.fields else None, errors)
        else:
            messages.success(request, _("The meeting was scheduled."))
            day = timezone.localdate(activity.starts_at).isoformat()
            return redirect(
                reverse("calendar:page") + "?" + urlencode({"view": "day", "date": day})
            )
    return render(request, "scheduling/schedule.html", {"form": form, "conflicts": conflicts})


@login_required
@require_GET
def busy_partial(request: HttpRequest) -> HttpResponse:
    """Busy times of the chosen participants on the day of the chosen start (HTMX)."""
    viewer = viewer_of(request)
    ids = [int(i) for i in request.GET.getlist("participants") if i.isdigit()][:50]
    try:
        day = dt.datetime.fromisoformat(request.GET.get("starts_at", "")).date()
    except ValueError:
        day = timezone.localdate()
    busy: list[dict] = []
    if ids:
        try:
            busy = calendar.busy_times(
                viewer=viewer,
                user_ids=ids,
                span=calendar.Range(_moment(day), _moment(day + dt.timedelta(days=1))),
            )
        except ValidationError:
            busy = []
    return render(request, "scheduling/partials/busy.html", {"busy": busy, "day": day})


@login_required
@require_POST
def feed_regenerate(request: HttpRequest) -> HttpResponse:
    """Issue a new feed URL (the old one stops working)."""
    feed.feed_regenerate(viewer=viewer_of(request), context=context_of(request, CHANNEL))
    messages.success(request, _("Your calendar feed has a new address."))
    return redirect("calendar:page")


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    """Revoke the feed URL."""
    feed.feed_revoke(viewer=viewer_of(request), context=context_of(request, CHANNEL))
    messages.success(request, _("Your calendar feed was revoked."))
    return redirect("calendar:page")


@require_GET
def feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed of a secret URL (no login); an unknown or revoked one is a 404."""
    found = feed.feed_owner(token)
    if found is None:
        raise Http404
    body = feed.feed_ics(feed=found, context=context_of(request, "feed"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
