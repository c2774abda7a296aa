"""Greeting templates and greeting days through the API: what would be sent, an
administrator's own wording in each language, and the days added for holiday greetings."""

from datetime import date

import pytest

from guanxi.audit.models import AuditEntry
from guanxi.service.care_models import CareHoliday, GreetingTemplate

GREETINGS = "/api/v1/care-reminders/greetings"
DAYS = "/api/v1/care-reminders/greeting-days"
BIRTHDAY_ZH = f"{GREETINGS}/birthday/zh-hans"


def put(client, url: str, body: dict):
    return client.put(url, body, content_type="application/json")


def test_every_occasion_lists_its_built_in_greeting_in_both_languages(api_as):
    answer = api_as("account_manager").get(GREETINGS)
    assert answer.status_code == 200
    found = {(g["kind"], g["language"]): g for g in answer.json()}
    assert len(found) == 10  # five occasions, two languages
    birthday = found[("birthday", "en")]
    assert (birthday["subject"], birthday["built_in"], birthday["version"]) == (
        "Happy birthday, {name}!", True, 0,
    )  # fmt: skip
    assert found[("birthday", "zh-hans")]["subject"] != birthday["subject"]  # translated


def test_an_administrators_greeting_replaces_the_built_in_one_and_is_audited(api_as):
    body = {"subject": "{name}，生日快乐", "body": "祝您生日快乐！\n{manager}", "version": 0}
    answer = put(api_as("admin"), BIRTHDAY_ZH, body)
    assert answer.status_code == 200, answer.content
    assert (answer.json()["subject"], answer.json()["built_in"]) == ("{name}，生日快乐", False)
    assert answer.json()["version"] == 1
    assert AuditEntry.objects.filter(object_type="greeting_template").count() == 1


def test_a_stale_version_of_a_greeting_changes_nothing(api_as):
    admin = api_as("admin")
    put(admin, BIRTHDAY_ZH, {"subject": "生日快乐", "body": "祝福", "version": 0})
    answer = put(admin, BIRTHDAY_ZH, {"subject": "新的", "body": "新的", "version": 0})
    assert answer.status_code == 409
    assert GreetingTemplate.objects.get().subject == "生日快乐"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (BIRTHDAY_ZH, {"subject": "{nmae}生日快乐", "body": "祝福"}, "subject"),
        (BIRTHDAY_ZH, {"subject": "生日快乐", "body": "祝福{"}, "body"),
        (f"{GREETINGS}/wedding/zh-hans", {"subject": "新婚快乐", "body": "祝福"}, "kind"),
        (f"{GREETINGS}/birthday/fr", {"subject": "Bon anniversaire", "body": "x"}, "language"),
    ],
)
def test_a_bad_greeting_is_refused_naming_the_field_and_stores_nothing(api_as, url, body, field):
    answer = put(api_as("admin"), url, {**body, "version": 0})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["detail"]] == [field]
    assert not GreetingTemplate.objects.exists()


def test_an_account_manager_may_not_change_a_greeting(api_as):
    body = {"subject": "生日快乐", "body": "祝福", "version": 0}
    assert put(api_as("account_manager"), BIRTHDAY_ZH, body).status_code == 403
    assert not GreetingTemplate.objects.exists()


def test_an_administrator_adds_a_greeting_day_and_everyone_who_greets_sees_it(api_as):
    answer = api_as("admin").post(
        DAYS, {"day": "2027-10-08", "name": "重阳节"}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    listed = api_as("account_manager").get(DAYS).json()
    assert listed == [{"id": answer.json()["id"], "day": "2027-10-08", "name": "重阳节"}]
    assert AuditEntry.objects.filter(object_type="greeting_day", action="create").exists()


def test_a_second_greeting_on_one_day_is_refused_naming_the_day(api_as):
    CareHoliday.objects.create(day=date(2027, 10, 8), name="重阳节")
    answer = api_as("admin").post(
        DAYS, {"day": "2027-10-08", "name": "行庆日"}, content_type="application/json"
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["detail"]] == ["day"]
    assert list(CareHoliday.objects.values_list("name", flat=True)) == ["重阳节"]


def test_removing_a_greeting_day_is_audited_and_a_missing_one_is_a_404(api_as):
    added = CareHoliday.objects.create(day=date(2027, 10, 8), name="重阳节")
    admin = api_as("admin")
    assert admin.delete(f"{DAYS}/{added.pk}").status_code == 204
    assert not CareHoliday.objects.exists()
    assert AuditEntry.objects.filter(object_type="greeting_day", action="delete").exists()
    assert admin.delete(f"{DAYS}/{added.pk}").status_code == 404


def test_an_account_manager_may_not_remove_a_greeting_day(api_as):
    added = CareHoliday.objects.create(day=date(2027, 10, 8), name="重阳节")
    assert api_as("account_manager").delete(f"{DAYS}/{added.pk}").status_code == 403
    assert CareHoliday.objects.filter(pk=added.pk).exists()
