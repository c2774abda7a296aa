"""Care reminders: each account manager's daily list of their customers' birthdays,
holidays, anniversaries, maturing products and large balance changes; greeting them by
e-mail (delivered to a real SMTP server, in the greeting's language) or by phone, once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.concurrency import VersionConflict
from guanxi.conftest import resident_id
from guanxi.core.events.dispatch import dispatch_pending
from guanxi.customers import holdings
from guanxi.customers.models import Customer, Holding, Product
from guanxi.scheduling.tests.conftest import smtp  # noqa: F401  (the real SMTP server)
from guanxi.service import care, follow_ups, greetings
from guanxi.service.care_models import CareReminder, FollowUp
from guanxi.service.models import OfficialDay, OfficialYear
from guanxi.service.tests.conftest import CONTEXT

TODAY = date(2026, 12, 6)  # no public holiday within the week


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setattr(care, "today", lambda: TODAY)


def viewer(staff, role="account_manager") -> policy.Viewer:
    return policy.Viewer.of(staff[role])


def listed(staff, role="account_manager", on=None) -> list[care.CareLine]:
    return care.care_list_for_user(viewer=viewer(staff, role), context=CONTEXT, on=on)


def greet(staff, line, channel="email", language="zh-hans", role="account_manager", version=None):
    return care.care_greet(
        viewer=viewer(staff, role), customer_id=line.customer_id, occasion=line.occasion,
        channel=channel, language=language, context=CONTEXT,
        expected_version=line.version if version is None else version,
    )  # fmt: skip


def test_a_birthday_in_three_days_is_on_the_account_managers_list(make_customer, staff):
    make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    [line] = listed(staff)
    assert (line.kind, line.on_date, line.customer_name) == ("birthday", date(2026, 12, 9), "王芳")


def test_a_birthday_after_the_week_is_not_listed(make_customer, staff):
    make_customer("王芳", id_number=resident_id(date(1980, 12, 20)))
    assert listed(staff) == []


def test_a_29_february_birthday_is_greeted_on_28_february_in_a_non_leap_year(make_customer, staff):
    make_customer("闰日", id_number=resident_id(date(1988, 2, 29)))
    [line] = listed(staff, on=date(2027, 2, 25))
    assert line.on_date == date(2027, 2, 28)
    assert line.occasion == "birthday:2027"


def test_a_29_february_birthday_is_greeted_on_29_february_in_a_leap_year(make_customer, staff):
    make_customer("闰日", id_number=resident_id(date(1988, 2, 29)))
    [line] = listed(staff, on=date(2028, 2, 25))
    assert line.on_date == date(2028, 2, 29)


def test_another_managers_customers_are_not_listed(make_customer, staff):
    make_customer(
        "别人的", id_number=resident_id(date(1980, 12, 9)), owner_id=staff["other_manager"].pk
    )
    assert listed(staff) == []


def test_a_service_agent_may_not_see_the_care_list(staff):
    with pytest.raises(PermissionDenied):
        listed(staff, "service_agent")


def test_reading_the_birthdays_is_audited(make_customer, staff):
    customer = make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    before = AuditEntry.objects.count()
    listed(staff)
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert "birthday" in entry.fields and str(customer.pk) in (entry.object_id or str(customer.pk))


def test_the_spring_festival_is_a_greeting_for_every_customer(make_customer, staff):
    make_customer("王芳")
    lines = listed(staff, on=date(2026, 2, 14))
    [line] = [x for x in lines if x.kind == "holiday"]
    assert line.on_date == date(2026, 2, 15)
    assert line.detail == "Spring Festival" or "春节" in line.detail


def test_an_administrators_greeting_day_is_a_holiday_greeting(make_customer, staff):
    make_customer("王芳")
    greetings.greeting_day_add(
        viewer=viewer(staff, "admin"), day=date(2026, 12, 8), name="行庆日", context=CONTEXT
    )
    [line] = [x for x in listed(staff) if x.kind == "holiday"]
    assert line.detail == "行庆日"


def test_the_anniversary_of_becoming_a_customer_is_listed_with_its_years(make_customer, staff):
    customer = make_customer("老客户")
    since = timezone.make_aware(timezone.datetime(2021, 12, 7, 10, 0))
    Customer.objects.filter(pk=customer.pk).update(created_at=since)
    [line] = listed(staff)
    assert (line.kind, line.on_date, line.detail) == ("anniversary", date(2026, 12, 7), "5")


def _holding(customer, **fields) -> Holding:
    product = Product.objects.create(code="TD3", name="三年定期", kind="deposit")
    return Holding.objects.create(customer=customer, product=product, opened_at=date(2023, 12, 20),
                                  balance=Decimal(500000), **fields)  # fmt: skip


def test_a_deposit_maturing_this_month_is_listed(make_customer, staff):
    holding = _holding(make_customer("王芳"), matures_on=date(2026, 12, 20))
    [line] = listed(staff)
    assert (line.kind, line.on_date, line.detail) == ("maturity", date(2026, 12, 20), "三年定期")
    assert line.occasion == f"maturity:{holding.pk}:2026-12-20"


def test_a_closed_holding_is_not_listed_as_maturing(make_customer, staff):
    _holding(make_customer("王芳"), matures_on=date(2026, 12, 20), closed_at=date(2026, 1, 1))
    assert listed(staff) == []


def test_a_large_balance_change_becomes_a_reminder_and_a_small_one_does_not(make_customer, staff):
    holding = _holding(make_customer("王芳"))
    small = care.care_balance_change(holding=holding, old_balance=Decimal(500000),
                                     new_balance=Decimal(499000))  # fmt: skip
    large = care.care_balance_change(holding=holding, old_balance=Decimal(500000),
                                     new_balance=Decimal(100000))  # fmt: skip
    assert small is None and large is not None
    [line] = listed(staff)
    assert line.kind == "balance"


def report_balance(staff, held: Holding, balance: int) -> None:
    """The core system reports the holding's balance, and the events are handled."""
    holdings.holding_update(
        viewer=viewer(staff), customer_id=held.customer_id, holding_id=held.pk,
        changes={"balance": Decimal(balance)}, expected_version=held.version, context=CONTEXT,
    )  # fmt: skip
    dispatch_pending()


def test_a_large_balance_change_reported_by_the_core_system_becomes_a_reminder(
    make_customer, staff
):
    held = _holding(make_customer("王芳"))
    report_balance(staff, held, 20000)
    [line] = listed(staff)
    assert (line.kind, line.occasion) == ("balance", f"balance:{held.pk}:{timezone.localdate()}")


def test_a_small_balance_change_reported_by_the_core_system_is_no_reminder(make_customer, staff):
    held = _holding(make_customer("王芳"))
    report_balance(staff, held, 499000)
    assert listed(staff) == [] and Holding.objects.get().balance == Decimal(499000)


def test_the_greeting_is_delivered_by_email_with_the_customers_name_in_chinese(
    make_customer,
    staff,
    smtp,  # noqa: F811
):
    make_customer("王芳", id_number=resident_id(date(1980, 12, 9)), email="wangfang@example.com")
    [line] = listed(staff)
    greet(staff, line, language="zh-hans")
    [message] = smtp.messages
    assert str(message["To"]) == "wangfang@example.com"
    with translation.override("zh-hans"):  # the Chinese catalogue's greeting
        subject = translation.gettext(greetings.BUILT_IN["birthday"][0]).format(name="王芳")
    assert str(message["Subject"]) == subject
    assert "王芳" in message.get_content()


def test_the_greeting_in_english_uses_the_english_template(make_customer, staff, smtp):  # noqa: F811
    make_customer(
        "Wang Fang", id_number=resident_id(date(1980, 12, 9)), email="wangfang@example.com"
    )
    [line] = listed(staff)
    greet(staff, line, language="en")
    [message] = smtp.messages
    assert str(message["Subject"]) == "Happy birthday, Wang Fang!"


def test_an_administrators_template_replaces_the_built_in_one(make_customer, staff, smtp):  # noqa: F811
    greetings.greeting_template_set(
        viewer=viewer(staff, "admin"), kind="birthday", language="zh-hans",
        subject="{name}，生日快乐", body="尊敬的{name}：祝您生日快乐！", expected_version=0,
        context=CONTEXT,
    )  # fmt: skip
    make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    greet(staff, listed(staff)[0])
    assert smtp.subjects() == ["王芳，生日快乐"]


def test_a_template_with_an_unknown_placeholder_is_refused_naming_the_body(staff):
    with pytest.raises(ValidationError) as refused:
        greetings.greeting_template_set(
            viewer=viewer(staff, "admin"), kind="birthday", language="en", subject="Hi",
            body="Dear {surname}", expected_version=0, context=CONTEXT,
        )  # fmt: skip
    assert "body" in refused.value.message_dict


def test_a_greeted_occasion_is_done_and_never_sent_twice(make_customer, staff, smtp):  # noqa: F811
    make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    [line] = listed(staff)
    greet(staff, line)
    [again] = listed(staff)
    assert again.status == "sent"
    with pytest.raises(ValidationError):
        greet(staff, again)
    assert len(smtp.messages) == 1


def test_marking_done_by_phone_sends_nothing_and_is_audited(make_customer, staff, smtp):  # noqa: F811
    make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    greet(staff, listed(staff)[0], channel="phone")
    assert smtp.messages == []
    reminder = CareReminder.objects.get()
    assert reminder.status == "phoned"
    assert AuditEntry.objects.filter(object_type="care_reminder", object_id=str(reminder.pk))


def test_another_managers_customer_cannot_be_greeted_and_nothing_changes(
    make_customer,
    staff,
    smtp,  # noqa: F811
):
    make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    [line] = listed(staff)
    with pytest.raises(ObjectDoesNotExist):
        greet(staff, line, role="other_manager")
    assert not CareReminder.objects.exists() and smtp.messages == []


def test_a_stale_version_of_a_balance_reminder_changes_nothing(make_customer, staff, smtp):  # noqa: F811
    holding = _holding(make_customer("王芳"))
    care.care_balance_change(holding=holding, old_balance=Decimal(0), new_balance=Decimal(10**6))
    [line] = listed(staff)
    with pytest.raises(VersionConflict):
        greet(staff, line, version=line.version + 1)
    assert CareReminder.objects.get().status == "open" and smtp.messages == []


def test_a_customer_without_email_cannot_be_greeted_by_email(make_customer, staff, smtp):  # noqa: F811
    make_customer("王芳", id_number=resident_id(date(1980, 12, 9)), email="")
    with pytest.raises(ValidationError) as refused:
        greet(staff, listed(staff)[0])
    assert "channel" in refused.value.message_dict
    assert not CareReminder.objects.exists()


CR = "/api/v1/care-reminders"


def test_the_api_lists_the_managers_care_occasions(make_customer, api_as):
    make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    response = api_as("account_manager").get(CR)
    assert response.status_code == 200
    [line] = response.json()
    assert (line["kind"], line["customer_name"], line["version"]) == ("birthday", "王芳", 0)


def test_the_api_sends_a_greeting_once_and_refuses_the_second_naming_the_occasion(
    make_customer,
    api_as,
    smtp,  # noqa: F811
):
    customer = make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    client = api_as("account_manager")
    body = {"customer_id": customer.pk, "occasion": "birthday:2026", "language": "en"}
    sent = client.post(CR + "/send", body, content_type="application/json")
    again = client.post(CR + "/send", body, content_type="application/json")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert again.status_code == 422
    assert again.json()["detail"][0]["field"] == "occasion"
    assert len(smtp.messages) == 1


def test_the_api_answers_an_occasion_not_on_the_list_with_a_404(make_customer, api_as):
    customer = make_customer("王芳")
    body = {"customer_id": customer.pk, "occasion": "birthday:2026"}
    response = api_as("account_manager").post(CR + "/phoned", body, content_type="application/json")
    assert response.status_code == 404


def test_an_unreachable_mail_server_is_a_422_and_nothing_is_kept(make_customer, api_as, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nobody listens
    customer = make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    body = {"customer_id": customer.pk, "occasion": "birthday:2026"}
    response = api_as("account_manager").post(CR + "/send", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "channel"
    assert not CareReminder.objects.exists()


def test_the_care_endpoints_are_in_the_openapi_schema(api_as):
    paths = api_as("admin").get("/api/v1/openapi.json").json()["paths"]
    assert {CR, CR + "/send", CR + "/phoned"} <= set(paths)


# --- the page: today's follow-ups and care list ---------------------------------------


def _page_client(client, staff, role="account_manager"):
    client.force_login(staff[role])
    return client


def test_the_care_page_lists_the_managers_occasions_in_chinese(make_customer, client, staff):
    make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    page = _page_client(client, staff).get("/service/care/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    body = page.content.decode()
    assert "王芳" in body and 'data-occasion="birthday:2026"' in body
    assert 'lang="zh-hans"' in body or "zh-hans" in body


def test_the_care_page_shows_no_other_managers_customers(make_customer, client, staff):
    other = staff["other_manager"].pk
    make_customer("别人的", id_number=resident_id(date(1980, 12, 9)), owner_id=other)
    body = _page_client(client, staff).get("/service/care/").content.decode()
    assert "别人的" not in body


def test_the_care_page_is_forbidden_to_a_service_agent(client, staff):
    assert _page_client(client, staff, "service_agent").get("/service/care/").status_code == 403


def test_marking_done_by_phone_on_the_page_answers_htmx_with_the_list(make_customer, client, staff):
    customer = make_customer("王芳", id_number=resident_id(date(1980, 12, 9)))
    data = {"customer_id": customer.pk, "occasion": "birthday:2026", "version": 0,
            "channel": "phone"}  # fmt: skip
    page = _page_client(client, staff).post("/service/care/greet/", data, HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert body.lstrip().startswith('<div id="care-list">')
    assert "care-done" in body
    assert CareReminder.objects.get().status == "phoned"


def test_recording_a_visit_on_the_page_completes_it(make_customer, client, staff):

    make_customer("王新")
    follow_ups.follow_ups_generate()
    visit = FollowUp.objects.select_related("activity").get()
    visit.activity.__class__.objects.filter(pk=visit.activity_id).update(due_on=TODAY)
    data = {"outcome": "reached", "note": "满意", "version": visit.version}
    response = _page_client(client, staff).post(
        f"/service/care/follow-ups/{visit.pk}/outcome/", data
    )
    assert response.status_code == 302
    visit.activity.refresh_from_db()
    assert visit.activity.status == "done"


def _queries(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_care_page_takes_the_same_queries_for_more_customers(make_customer, client, staff):
    reader = _page_client(client, staff)
    for name in ("王一", "王二"):  # several audit subjects (one is kept in its entry)
        make_customer(name, id_number=resident_id(date(1980, 12, 9)))
    few = _queries(reader, "/service/care/")
    for n in range(6):
        make_customer(f"王{n}", id_number=resident_id(date(1981 + n, 12, 8)))
    _holding(make_customer("李到期"), matures_on=date(2026, 12, 20))
    assert _queries(reader, "/service/care/") == few


def test_the_demo_gives_some_open_deposits_a_maturity_within_weeks(make_customer):
    from guanxi.service.care_demo import load_demo_maturities

    customer = make_customer("王芳")
    product = Product.objects.create(code="TD1", name="一年定期", kind="deposit")
    for n in range(60):
        Holding.objects.create(customer=customer, product=product, opened_at=date(2025, 1, 1),
                               account_number=str(n))  # fmt: skip
    assert load_demo_maturities() >= 2
    today = timezone.localdate()
    for day in Holding.objects.filter(matures_on__isnull=False).values_list(
        "matures_on", flat=True
    ):
        assert today < day <= today + timedelta(days=45)


def test_my_day_links_to_the_care_list(client, staff):
    body = _page_client(client, staff).get("/activities/my-day/").content.decode()
    assert 'id="care-link"' in body and "/service/care/" in body


def test_a_holiday_greeting_names_the_holiday_in_the_greetings_language(
    make_customer,
    staff,
    smtp,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setattr(care, "today", lambda: date(2026, 9, 28))
    make_customer("Wang Fang")
    lines = listed(staff)
    [line] = [x for x in lines if x.kind == "holiday"]  # National Day, 1 October
    with translation.override("zh-hans"):
        greet(staff, line, language="en")
    assert "National Day" in str(smtp.messages[0]["Subject"])


def test_a_holiday_entered_in_chinese_is_named_in_english_in_an_english_greeting(
    make_customer,
    staff,
    smtp,  # noqa: F811
    monkeypatch,
):
    schedule = OfficialYear.objects.create(year=2026)
    for day in range(1, 8):
        OfficialDay.objects.create(
            schedule=schedule, day=date(2026, 10, day), kind="holiday", name="国庆节"
        )
    monkeypatch.setattr(care, "today", lambda: date(2026, 9, 28))
    make_customer("Wang Fang")
    [line] = [x for x in listed(staff) if x.kind == "holiday"]
    greet(staff, line, language="en")
    assert "National Day" in str(smtp.messages[0]["Subject"])
