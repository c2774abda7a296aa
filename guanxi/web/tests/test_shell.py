"""The web shell through Django's test client: login, logout, navigation, language."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from guanxi.conftest import PASSWORD
from guanxi.org.models import Profile
from guanxi.web.context import NAV_ENTRIES
from guanxi.web.tests.support import client_for


def html(response) -> str:
    return response.content.decode()


def login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("web:login"), {"username": username, "password": password}, **extra)


# --- login and logout -------------------------------------------------------------------


def test_login_page_renders_with_vendored_assets(client, db):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    body = html(response)
    assert 'name="username"' in body
    assert "/static/vendor/tabler/tabler.min.css" in body
    assert "/static/vendor/htmx/htmx.min.js" in body
    assert "//cdn" not in body and "https://" not in body  # nothing from a CDN


@pytest.mark.parametrize(
    ("library", "files"),
    [
        ("tabler", ["tabler.min.css", "tabler.min.js", "LICENSE", "THIRD-PARTY-LICENSES"]),
        ("htmx", ["htmx.min.js", "LICENSE"]),
        ("echarts", ["echarts.min.js", "LICENSE", "NOTICE"]),
    ],
)
def test_vendored_libraries_are_served_with_their_licences(client, db, library, files):
    for name in files:
        response = client.get(f"/static/vendor/{library}/{name}")
        assert response.status_code == 200, name
        response.close()


def test_login_with_the_right_password_goes_to_the_landing_page(client, staff):
    # The home page sends each user on: an account manager to my day (guanxi.activities).
    response = login(client, "am")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.get(reverse("web:home"))["Location"] == reverse("activities:my_day")
    assert client.get(reverse("customers:list")).status_code == 200


def test_login_with_a_wrong_password_shows_an_error(client, staff):
    response = login(client, "am", "wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "alert-danger" in html(response)
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_out(client, staff):
    for _ in range(3):
        login(client, "am", "wrong")
    response = login(client, "am")  # even the right password is refused now
    assert response.status_code == 429
    assert "alert-danger" in html(response)
    assert "_auth_user_id" not in client.session


def test_login_redirects_to_next(client, staff):
    url = reverse("web:login") + "?next=" + reverse("audit:log")
    response = client.post(url, {"username": "auditor", "password": PASSWORD})
    assert response["Location"] == reverse("audit:log")


def test_logout_needs_post(staff):
    client = client_for(staff["marketer"])
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")
    assert client.get(reverse("customers:list")).status_code == 302


def test_home_redirects_to_the_customer_list(staff):
    response = client_for(staff["analyst"]).get(reverse("web:home"))
    assert response["Location"] == reverse("customers:list")


def test_home_needs_a_login(client, db):
    response = client.get(reverse("web:home"))
    assert response["Location"].startswith(reverse("web:login"))


# --- navigation and user menu -----------------------------------------------------------


def test_navigation_shows_only_domains_that_exist(staff):
    body = html(
        client_for(staff["admin"]).get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en")
    )
    nav = body[body.index('id="main-nav"') : body.index("</ul>", body.index('id="main-nav"'))]
    for label in ("Marketing", "Loyalty", "Automation"):
        assert label not in nav
    assert "Coming soon" not in body
    for url_name in ("customers:list", "activities:list", "activities:my_day", "leads:list",
                     "sales:list", "analytics:list", "audit:log", "service:list"):  # fmt: skip
        assert f'href="{reverse(url_name)}"' in nav
    assert 'aria-current="page"' in nav


@pytest.mark.parametrize(
    ("role", "sees_audit"),
    [
        ("admin", True),
        ("auditor", True),
        ("branch_manager", False),
        ("account_manager", False),
        ("service_agent", False),
        ("marketer", False),
        ("analyst", False),
    ],
)
def test_audit_entry_only_for_auditors_and_administrators(staff, role, sees_audit):
    body = html(client_for(staff[role]).get(reverse("customers:list")))
    assert (f'href="{reverse("audit:log")}"' in body) is sees_audit


def test_every_nav_entry_names_a_namespaced_url():
    assert len({e.key for e in NAV_ENTRIES}) == len(NAV_ENTRIES) == 17
    assert all(":" in e.url_name for e in NAV_ENTRIES)


def test_user_menu_shows_display_name_and_roles(staff):
    body = html(
        client_for(staff["branch_manager"]).get(
            reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en"
        )
    )
    assert "王行长" in body
    assert "Branch manager" in body


# --- language ---------------------------------------------------------------------------


def test_default_language_follows_the_browser(staff):
    client = client_for(staff["marketer"])
    assert "Customers" in html(client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en"))
    chinese = html(client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="zh-CN"))
    assert "客户" in chinese
    assert 'lang="zh-hans"' in chinese


def test_language_switch_sets_the_cookie_and_saves_the_profile(staff):
    client = client_for(staff["marketer"])
    response = client.post(
        reverse("web:language"), {"language": "en", "next": reverse("customers:list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:list")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert Profile.objects.get(user=staff["marketer"]).language == "en"
    body = html(client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="zh-CN"))
    assert "Customers" in body


def test_language_switch_ignores_unknown_languages(staff):
    client = client_for(staff["marketer"])
    client.post(reverse("web:language"), {"language": "xx", "next": "/"})
    assert Profile.objects.get(user=staff["marketer"]).language == ""


def test_language_switch_works_before_login(client, db):
    response = client.post(reverse("web:language"), {"language": "en", "next": "/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_saved_language_is_applied_at_login(client, staff):
    Profile.objects.filter(user=staff["marketer"]).update(language="en")
    response = login(client, "marketer", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = html(client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="zh-CN"))
    assert "Customers" in body


# --- error pages ------------------------------------------------------------------------


def test_404_page_uses_the_shell(staff):
    response = client_for(staff["marketer"]).get("/no/such/page/")
    assert response.status_code == 404
    assert 'id="main-nav"' in html(response)


def test_403_page_uses_the_shell(staff):
    response = client_for(staff["marketer"]).get(reverse("audit:log"))
    assert response.status_code == 403
    assert 'id="main-nav"' in html(response)
