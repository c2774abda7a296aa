"""API for the organisation: tokens, the current user, branches and staff, and a
colleague's portfolio: what they hold, its handover and their deactivation."""

import datetime as dt

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from guanxi.api_types import RecordId
from guanxi.org import selectors, services
from guanxi.org.deactivation import staff_deactivate
from guanxi.org.handover import portfolio_hand_over
from guanxi.org.models import ApiToken, Branch
from guanxi.request_context import context_of, viewer_of

auth_router = Router(tags=["auth"])
router = Router(tags=["organisation"])
staff_router = Router(tags=["staff"])


class Credentials(Schema):
    """A user name and password exchanged for an API token."""

    username: str
    password: str


class TokenOut(Schema):
    """A new bearer token; it is shown only once."""

    token: str


@auth_router.post("/token", auth=None, response={201: TokenOut})
def issue_token(request: HttpRequest, credentials: Credentials):
    """Exchange a user name and password for a bearer token."""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        raise HttpError(401, _("Wrong user name or password."))
    _token, raw = ApiToken.issue(user, name="api")
    return Status(201, {"token": raw})


@auth_router.delete("/token", response={204: None})
def revoke_token(request: HttpRequest):
    """Revoke the bearer token this call was made with (log out an API client)."""
    scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not services.revoke_token(raw.strip()):
        message = _("Send the bearer token to revoke in the Authorization header.")
        raise ValidationError({"Authorization": [message]})
    return Status(204, None)


class BranchOut(Schema):
    """A branch."""

    id: int
    code: str
    name: str
    city: str


class MeOut(Schema):
    """The calling user and their roles."""

    id: int
    username: str
    display_name: str
    roles: list[str]
    branch_id: int | None


class StaffOut(Schema):
    """A member of staff; ``roles`` is null unless you may see them (see the README)."""

    id: int
    username: str
    display_name: str
    roles: list[str] | None
    branch_id: int | None


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    """Who the caller is."""
    viewer = viewer_of(request)
    profile = getattr(request.user, "profile", None)
    return {
        "id": viewer.user_id,
        "username": viewer.username,
        "display_name": profile.display_name if profile else "",
        "roles": sorted(viewer.roles),
        "branch_id": viewer.branch_id,
    }


@router.get("/branches", response=list[BranchOut])
def branches(request: HttpRequest):
    """All branches (organisation structure is not personal data)."""
    return list(Branch.objects.all())


@router.get("/staff", response=list[StaffOut])
def staff(request: HttpRequest, branch_id: RecordId | None = None):
    """Staff you may see (administrators all; others their branch), optionally of one
    branch, for choosing owners and assignees."""
    return selectors.list_staff(viewer_of(request), branch_id)


class PortfolioOut(Schema):
    """A colleague and how many records of each kind they hold (``counts``: customers,
    leads, opportunities, opportunity_teams, activities)."""

    user_id: int
    username: str
    display_name: str
    is_active: bool
    branch_id: int | None
    counts: dict[str, int]
    total: int


class HandoverIn(Schema):
    """Who receives the portfolio (``to_user_id``), optionally a receiver per kind
    (``targets``: kind → user id), and why."""

    to_user_id: RecordId | None = None
    targets: dict[str, RecordId] = {}
    reason: str


class HandoverOut(Schema):
    """A handover done: its receivers per kind and the numbers moved."""

    id: int
    from_user_id: int
    to_user_id: int | None
    targets: dict[str, int]
    counts: dict[str, int]
    reason: str
    handed_over_at: dt.datetime


class DeactivatedOut(Schema):
    """A user deactivated."""

    id: int
    username: str
    is_active: bool


def _portfolio_out(row: dict) -> dict:
    profile = row["profile"]
    return {
        "user_id": profile.user_id,
        "username": profile.user.get_username(),
        "display_name": profile.display_name,
        "is_active": profile.user.is_active,
        "branch_id": profile.branch_id,
        "counts": row["counts"],
        "total": row["total"],
    }


@staff_router.get("", response=list[PortfolioOut])
def staff_portfolios(request: HttpRequest):
    """Colleagues whose portfolio you may hand over (administrators all, branch managers
    their branch, team leads their team), with what each holds."""
    return [_portfolio_out(r) for r in selectors.staff_portfolio_list(viewer=viewer_of(request))]


@staff_router.get("/{user_id}/portfolio", response=PortfolioOut)
def staff_portfolio(request: HttpRequest, user_id: RecordId):
    """What a colleague holds, per kind: what a handover would move."""
    return _portfolio_out(selectors.staff_portfolio_get(viewer=viewer_of(request), user_id=user_id))


@staff_router.post("/{user_id}/handover", response={201: HandoverOut})
def staff_handover(request: HttpRequest, user_id: RecordId, data: HandoverIn):
    """Hand everything a colleague holds to ``to_user_id`` (or each kind to its ``targets``
    receiver) in one step; 422 naming the field for a receiver refused, nothing moved."""
    handover = portfolio_hand_over(
        viewer=viewer_of(request),
        from_user_id=user_id,
        to_user_id=data.to_user_id,
        targets=data.targets,
        reason=data.reason,
        context=context_of(request, "api"),
    )
    return Status(201, handover)


@staff_router.post("/{user_id}/deactivate", response=DeactivatedOut)
def staff_deactivate_user(request: HttpRequest, user_id: RecordId):
    """Deactivate a colleague and revoke their tokens (administrators); 409 with what they
    still hold (``portfolio``: kind → count) until it is handed over."""
    profile = staff_deactivate(
        viewer=viewer_of(request), user_id=user_id, context=context_of(request, "api")
    )
    user = profile.user
    return {"id": user.pk, "username": user.get_username(), "is_active": user.is_active}
