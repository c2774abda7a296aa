"""The organisation management commands, run through the ``guanxi`` console entry."""

import pytest
from django.core.management import CommandError, call_command

from guanxi.org.models import ApiToken


def test_create_staff_and_token(org, capsys):
    call_command(
        "create_staff",
        "liu",
        "--password",
        "pw-123456",
        "--role",
        "account_manager",
        "--branch",
        "BJ01",
    )
    assert "已创建 liu（account_manager）" in capsys.readouterr().out  # the default language
    call_command("create_token", "liu")
    raw = capsys.readouterr().out.strip()
    assert ApiToken.objects.for_raw(raw).user.username == "liu"


def test_create_staff_refuses_account_manager_without_branch(org):
    with pytest.raises(CommandError, match="branch"):
        call_command("create_staff", "liu", "--password", "x", "--role", "account_manager")


def test_create_token_for_unknown_user(db):
    with pytest.raises(CommandError, match="没有名为 'ghost' 的有效用户"):
        call_command("create_token", "ghost")


def test_remembered_language_must_be_one_we_offer(staff):
    from guanxi.org.services import remember_language

    user = staff["marketer"]
    assert remember_language(user, "en")
    assert not remember_language(user, "fr")
    user.profile.refresh_from_db()
    assert user.profile.language == "en"
