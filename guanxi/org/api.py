"""API for the organisation: tokens, the current user, branches and staff."""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from guanxi.api_types import RecordId
from guanxi.org import selectors, services
from guanxi.org.models import ApiToken, Branch
from guanxi.request_context import viewer_of

auth_router = Router(tags=["auth"])
router = Router(tags=["organisation"])


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
