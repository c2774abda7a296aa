"""Case pages: the desk's queue, a case with its timeline and moves, a new case.

Views parse, call a selector or service (which apply the policy and write the audit log)
and render. A case out of the viewer's scope is a 404; a refused move changes nothing and
says why.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi import policy
from guanxi.concurrency import VersionConflict
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_get_for_user, customer_list_for_user
from guanxi.request_context import context_of, page_number, viewer_of
from guanxi.sales.api import person_name
from guanxi.service import case_attachments, case_clock, case_selectors, cases, workflow
from guanxi.service.case_models import Case, CaseAttachment
from guanxi.service.case_transitions import case_transition
from guanxi.service.case_types import CaseState, CaseType
from guanxi.service.forms import (
    ID_LIMIT,
    AssignForm,
    CaseForm,
    QueueFilterForm,
    TransitionForm,
)
from guanxi.service.page_clock import shown
from guanxi.web.htmx import is_htmx

CHANNEL = "web"
PICKS = 8  # customers offered by the new case's search
PAGE_SIZE = 25
S = CaseState
# What the button of a move says.
MOVE_LABELS = {
    S.ACKNOWLEDGED: gettext_lazy("Acknowledge"),
    S.IN_PROGRESS: gettext_lazy("Start work"),
    S.WAITING: gettext_lazy("Wait on the customer"),
    S.RESOLVED: gettext_lazy("Resolve"),
    S.CONFIRMED: gettext_lazy("Customer confirmed"),
    S.CLOSED: gettext_lazy("Close"),
}


def conflict_message() -> str:
    """What an agent is told when someone else changed the case first."""
    return _(
        "This case was changed by someone else in the meantime. Nothing was saved: "
        "reload the page to see the current case, then try again."
    )


def _named(rows) -> list[tuple[int, str]]:
    return [(r.pk, r.name) for r in rows]


def _labelled(rows) -> list[tuple[int, str]]:
    """Categories or root causes, named in the active language."""
    return [(r.pk, r.label) for r in rows]


def _case(request: HttpRequest, case_id: int) -> Case:
    try:
        return case_selectors.case_get_for_user(viewer=viewer_of(request), case_id=case_id)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def case_queue(request: HttpRequest) -> HttpResponse:
    """The open cases the viewer may see in queue order, filtered, with their SLA clocks."""
    viewer = viewer_of(request)
    policy.require(viewer, "case.view")
    queues = _named(case_selectors.queue_list_for_user(viewer=viewer))
    form = QueueFilterForm(request.GET, queues=queues)
    filters = form.values()
    sla_status = filters.pop("sla_status", None)
    found = case_selectors.case_list_for_user(
        viewer=viewer, filters=filters, sla_status=sla_status, page=page_number(request),
        page_size=PAGE_SIZE, open_only=True,
    )  # fmt: skip
    now, engines = case_selectors.now(), case_clock.engines_for(found.rows)
    rows = [(c, shown(case_clock.clock(c, now, engines))) for c in found.rows]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": found,
        "rows": rows,
        "query": query.urlencode(),
        "can_create": policy.allows(viewer, "case.create"),
        "can_analyse": policy.allows(viewer, "case.analyse"),
        "can_see_satisfaction": policy.allows(viewer, "survey_response.view"),
    }
    template = "service/partials/queue_table.html" if is_htmx(request) else "service/queue.html"
    return render(request, template, context)


def _moves(case: Case, can_work: bool) -> list[dict]:
    """The moves the workflow table allows from the case's state, with the fields each
    needs shown."""
    if not can_work:
        return []
    complaint = case.case_type == CaseType.COMPLAINT
    moves = []
    for state in workflow.next_states(case.state):
        spot = (case.state, state) == workflow.ON_THE_SPOT
        if spot and not complaint:
            continue
        label = str(MOVE_LABELS[S(state)])
        if (case.state, state) in workflow.REOPEN:
            label = _("Reopen")
        elif spot:
            label = _("Solved on the spot")
        moves.append(
            {
                "state": state,
                "label": label,
                "promise": state == S.ACKNOWLEDGED and complaint,
                "resolve": state == S.RESOLVED,
                "complaint": complaint,
                "note_needed": spot,
            }
        )
    return moves


def _detail_context(request: HttpRequest, case: Case, **extra) -> dict:
    viewer = viewer_of(request)
    can_work = policy.allows(viewer, "case.work", case)
    can_assign = policy.allows(viewer, "case.assign", case)
    version = {"version": case.version}
    root_causes = _labelled(case_selectors.root_cause_list_for_user(viewer=viewer))
    queues = _named(case_selectors.queue_list_for_user(viewer=viewer))
    moves = _moves(case, can_work)
    failed = extra.get("failed_state")
    for move in moves:
        given = extra.get("move_form") if move["state"] == failed else None
        move["form"] = given or TransitionForm(
            initial={**version, "state": move["state"]}, root_causes=root_causes,
            auto_id=f"id_{move['state']}_%s",
        )  # fmt: skip
    history: list[dict] = [
        {"kind": "state", "at": t.at, "by": t.by, "note": t.note,
         "from": S(t.from_state).label if t.from_state else "", "to": S(t.to_state).label}
        for t in case_selectors.case_transitions(case=case)
    ] + [
        {"kind": "assignment", "at": a.at, "by": a.by, "note": a.reason,
         "to_owner": a.to_owner, "to_queue": a.to_queue, "from_queue": a.from_queue}
        for a in case_selectors.case_assignments(case=case)
    ]  # fmt: skip
    history.sort(key=lambda h: h["at"])
    agents = case_selectors.agent_candidates(viewer=viewer) if can_assign else []
    return {
        "case": case,
        "clock": shown(case_clock.clock(case, case_selectors.now())),
        "owner_name": person_name(case.owner) if case.owner else "",
        "history": history,
        "moves": moves,
        "can_assign": can_assign,
        "can_work": can_work,
        "attachments": list(case.attachments.order_by("uploaded_at", "id")),
        "assign_form": extra.get("assign_form")
        or AssignForm(initial=version, agents=agents, queues=queues),
        "refusal": extra.get("refusal", ""),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case: its fields, SLA deadlines and status, timeline, and the moves and
    assignment the viewer may make."""
    return render(request, "service/detail.html", _detail_context(request, _case(request, case_id)))


def _refused(request: HttpRequest, case_id: int, message: str, **forms) -> HttpResponse:
    context = _detail_context(request, _case(request, case_id), refusal=message, **forms)
    return render(request, "service/detail.html", context, status=409)


def _messages_of(exc: ValidationError) -> str:
    return " ".join(str(m) for texts in exc.message_dict.values() for m in texts)


@login_required
@require_POST
def case_move(request: HttpRequest, case_id: int) -> HttpResponse:
    """Move the case to another state the workflow allows."""
    viewer = viewer_of(request)
    case = _case(request, case_id)
    root_causes = _labelled(case_selectors.root_cause_list_for_user(viewer=viewer))
    form = TransitionForm(request.POST, root_causes=root_causes)
    state = request.POST.get("state", "")
    if not form.is_valid():
        message = _messages_of(ValidationError(form.errors))
        return _refused(request, case_id, message, move_form=form, failed_state=state)
    data = form.cleaned_data
    try:
        case_transition(
            viewer=viewer, case_id=case.pk, state=data["state"],
            expected_version=data["version"], context=context_of(request, CHANNEL),
            note=data["note"], on_the_spot=(case.state, data["state"]) == workflow.ON_THE_SPOT,
            promised_reply_at=data["promised_reply_at"], root_cause_id=data["root_cause_id"],
            customer_confirmed=data["customer_confirmed"],
            contact_attempted=data["contact_attempted"], compensation=data["compensation"],
        )  # fmt: skip
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        form.apply_service_errors(exc)
        return _refused(request, case_id, _messages_of(exc), move_form=form, failed_state=state)
    except VersionConflict:
        return _refused(request, case_id, conflict_message())
    messages.success(request, _("The case was moved."))
    return _after_change(request, case_id)


def _after_change(request: HttpRequest, case_id: int) -> HttpResponse:
    """Back to the case, or to the queue when the change took it out of the viewer's
    scope (a transfer to another department)."""
    try:
        case_selectors.case_get_for_user(viewer=viewer_of(request), case_id=case_id)
    except Case.DoesNotExist:
        return redirect("service:list")
    return redirect("service:detail", case_id=case_id)


@login_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    """Give the case to an agent or a queue (a transfer between departments)."""
    viewer = viewer_of(request)
    _case(request, case_id)
    queues = _named(case_selectors.queue_list_for_user(viewer=viewer))
    agents = case_selectors.agent_candidates(viewer=viewer)
    form = AssignForm(request.POST, agents=agents, queues=queues)
    if not form.is_valid():
        message = _messages_of(ValidationError(form.errors))
        return _refused(request, case_id, message, assign_form=form)
    data = form.cleaned_data
    try:
        cases.case_assign(
            viewer=viewer, case_id=case_id, expected_version=data["version"],
            context=context_of(request, CHANNEL), owner_id=data["owner_id"],
            queue_id=data["queue_id"], reason=data["reason"],
        )  # fmt: skip
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        form.apply_service_errors(exc)
        return _refused(request, case_id, _messages_of(exc), assign_form=form)
    except VersionConflict:
        return _refused(request, case_id, conflict_message())
    messages.success(request, _("The case was assigned."))
    return _after_change(request, case_id)


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a case (a complaint solved on the spot closes at once, with its note)."""
    viewer = viewer_of(request)
    policy.require(viewer, "case.create")
    choices = {
        "categories": _labelled(case_selectors.category_list_for_user(viewer=viewer)),
        "products": _named(case_selectors.product_list_for_user(viewer=viewer)),
        "queues": _named(case_selectors.queue_list_for_user(viewer=viewer)),
    }
    chosen = _chosen_customer(
        request, request.POST.get("customer_id") or request.GET.get("customer")
    )
    initial = {"customer_id": chosen.pk if chosen else ""}
    form = CaseForm(request.POST or None, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        context = context_of(request, CHANNEL)
        try:
            with transaction.atomic():  # the case and its on-the-spot closing, or nothing
                case = cases.case_create(
                    viewer=viewer, customer_id=data["customer_id"], case_type=data["case_type"],
                    channel=data["channel"], priority=data["priority"], subject=data["subject"],
                    description=data["description"], category_id=data["category_id"],
                    product_id=data["product_id"], queue_id=data["queue_id"], context=context,
                )  # fmt: skip
                if data["on_the_spot"]:
                    case_transition(
                        viewer=viewer, case_id=case.pk, state=S.CLOSED,
                        expected_version=case.version, context=context, on_the_spot=True,
                        note=data["spot_note"],
                    )  # fmt: skip
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, _("The case was opened."))
            return _after_change(request, case.pk)
    return render(request, "service/form.html", {"form": form, "chosen": chosen})


def _chosen_customer(request: HttpRequest, raw: str | None) -> Customer | None:
    """The customer a new case is for, when given and visible to the viewer."""
    if not raw or not raw.isdigit() or int(raw) > ID_LIMIT:
        return None
    try:
        return customer_get_for_user(viewer=viewer_of(request), customer_id=int(raw))
    except Customer.DoesNotExist:
        return None


@login_required
@require_GET
def case_customer_picker(request: HttpRequest) -> HttpResponse:
    """The customers matching a search (name, phone, ID number...), to open a case for:
    the customer list's search, scoped and audited as any customer read."""
    viewer = viewer_of(request)
    policy.require(viewer, "case.create")
    query = (request.GET.get("q") or "").strip()
    context: dict = {"query": query, "rows": [], "error": ""}
    if query:
        try:
            found = customer_list_for_user(
                viewer=viewer, raw_filter={"q": query}, context=context_of(request, CHANNEL),
                page_size=PICKS,
            )  # fmt: skip
        except ValidationError as exc:
            context["error"] = "; ".join(exc.messages)
        else:
            context["rows"] = found.rows
    return render(request, "service/partials/customer_picker.html", context)


@login_required
@require_POST
def case_attachment_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    """Attach a file to a case from its page."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect("service:detail", case_id=case_id)
    try:
        case_attachments.case_attachment_add(
            viewer=viewer_of(request), case_id=case_id, upload=upload,
            context=context_of(request, CHANNEL),
        )  # fmt: skip
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("The file was attached."))
    return redirect("service:detail", case_id=case_id)


@login_required
@require_GET
def case_attachment_download(request: HttpRequest, case_id: int, attachment_id: int):
    """Download a file of a case the viewer may read."""
    try:
        found = case_attachments.case_attachment_get_for_user(
            viewer=viewer_of(request), case_id=case_id, attachment_id=attachment_id
        )
    except (Case.DoesNotExist, CaseAttachment.DoesNotExist) as exc:
        raise Http404 from exc
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name,
        content_type=found.content_type,
    )  # fmt: skip
