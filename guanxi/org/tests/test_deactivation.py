"""Deactivating a user: refused while they hold records (service and Django admin alike),
and their tokens revoked when it passes."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.org.deactivation import PortfolioNotEmpty, staff_deactivate
from guanxi.org.handover import portfolio_hand_over
from guanxi.org.models import ApiToken, Profile
from guanxi.org.tests.conftest import CONTEXT

User = get_user_model()

pytestmark = pytest.mark.usefixtures("in_english")


def deactivate(staff, user, by="admin"):
    return staff_deactivate(viewer=policy.Viewer.of(staff[by]), user_id=user.pk, context=CONTEXT)


def test_a_user_holding_records_is_not_deactivated_and_the_refusal_counts_them(
    staff, make_portfolio
):
    make_portfolio(2)
    am = staff["account_manager"]
    ApiToken.issue(am)
    with pytest.raises(PortfolioNotEmpty) as refused:
        deactivate(staff, am)
    assert refused.value.remaining == {
        "customers": 2, "leads": 2, "opportunities": 2, "activities": 2,
    }  # fmt: skip
    assert "2 customers" in refused.value.message_dict["portfolio"][0]
    am.refresh_from_db()
    assert am.is_active and ApiToken.objects.filter(user=am, revoked=False).count() == 1


def test_after_the_handover_the_user_is_deactivated_and_their_tokens_revoked(
    staff, receiver, make_portfolio
):
    make_portfolio(1)
    am = staff["account_manager"]
    ApiToken.issue(am)
    portfolio_hand_over(
        viewer=policy.Viewer.of(staff["admin"]), from_user_id=am.pk, to_user_id=receiver.pk,
        reason="离职", context=CONTEXT,
    )  # fmt: skip
    deactivate(staff, am)
    am.refresh_from_db()
    assert not am.is_active
    assert not ApiToken.objects.filter(user=am, revoked=False).exists()
    entry = AuditEntry.objects.get(object_type="user", object_id=str(am.pk))
    assert entry.changes == {"is_active": [True, False], "tokens_revoked": [None, 1]}


def test_a_seat_on_an_opportunity_team_does_not_stop_a_deactivation(staff, make_portfolio):
    make_portfolio(1)  # the team lead sits on the opportunity's team
    deactivate(staff, staff["marketer"])
    deactivate(staff, staff["team_lead"])
    assert not User.objects.get(pk=staff["team_lead"].pk).is_active


def test_a_branch_manager_may_not_deactivate(staff):
    with pytest.raises(PermissionDenied):
        deactivate(staff, staff["other_manager"], by="branch_manager")
    assert User.objects.get(pk=staff["other_manager"].pk).is_active


def test_nobody_deactivates_themselves(staff):
    with pytest.raises(ValidationError) as refused:
        deactivate(staff, staff["admin"])
    assert list(refused.value.message_dict) == ["user_id"]


def test_an_unknown_user_reads_as_missing(staff):
    with pytest.raises(Profile.DoesNotExist):
        staff_deactivate(viewer=policy.Viewer.of(staff["admin"]), user_id=987654, context=CONTEXT)


def admin_form(staff, user, **changes):
    model_admin = admin.site._registry[User]
    request = RequestFactory().post("/admin/")
    # The admin site is for superusers (staff with Django's permissions).
    request.user = User.objects.create_superuser("root", "root@example.com", "x")
    form_class = model_admin.get_form(request, user, change=True)
    data = {
        "username": user.username, "password": user.password, "is_active": user.is_active,
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00", **changes,
    }  # fmt: skip
    if not data["is_active"]:
        del data["is_active"]  # an unticked box is not sent
    return model_admin, request, form_class(data, instance=user)


def test_the_admin_refuses_to_untick_active_while_records_remain(staff, make_portfolio):
    make_portfolio(1)
    am = staff["account_manager"]
    _admin, _request, form = admin_form(staff, am, is_active=False)
    assert not form.is_valid()
    assert "1 customer" in form.errors["is_active"][0]
    am.refresh_from_db()
    assert am.is_active


def test_the_admin_deactivates_through_the_service(staff):
    user = staff["other_manager"]
    ApiToken.issue(user)
    model_admin, request, form = admin_form(staff, user, is_active=False)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    user.refresh_from_db()
    assert not user.is_active
    assert not ApiToken.objects.filter(user=user, revoked=False).exists()
    assert AuditEntry.objects.filter(object_type="user", object_id=str(user.pk)).exists()
