"""Shared test fixtures: an organisation with one user per role, and customers in it."""

import itertools
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from stdnum.cn import ric

from guanxi import policy
from guanxi.audit import triggers
from guanxi.audit.services import RequestContext
from guanxi.customers import services
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Customer
from guanxi.org.models import ApiToken, Company, Team
from guanxi.org.roles import Role
from guanxi.org.services import create_branch, create_staff

PASSWORD = "correct-horse-battery"
_sequence = itertools.count(100)


def resident_id(birthday: date = date(1985, 6, 15), male: bool = True, region="110105") -> str:
    """A valid 18-digit resident ID for a birthday and gender."""
    # A fresh sequence number each call (500 per gender before they repeat): customers
    # with the same ID number are refused.
    seq = (next(_sequence) * 2 + (1 if male else 0)) % 1000
    body = f"{region}{birthday:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip, saying why, a test marked ``postgres_only`` when the database is not PostgreSQL."""
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture(autouse=True)
def no_remembered_run() -> None:
    """Each test starts without a current analysis run remembered from another test's data."""
    from guanxi.insights.current_run import forget_current_run

    forget_current_run()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Real hashing costs ~0.3 s a user; tests create many users and test no hash strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def flushable_audit_log():
    """Let the flush after a transactional test empty the append-only audit tables on SQLite.

    Django flushes SQLite with DELETE, which the audit triggers refuse; for the flush only,
    the triggers are dropped and put back in the same transaction. Only the test suite does
    this. PostgreSQL's flush is a TRUNCATE, which fires no row triggers.
    """
    if connection.vendor != "sqlite":
        yield
        return
    operations = type(connection.ops)
    original = operations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if not statements or not set(triggers.TABLES) & set(tables):
            return statements
        drop, create = triggers.drop_statements("sqlite"), triggers.create_statements("sqlite")
        return [*drop, *statements, *create]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operations, "sql_flush", sql_flush)
        yield


@pytest.fixture
def org(db) -> dict:
    """A bank with two branches and a team in each."""
    company = Company.objects.create(name="示例银行")
    north = create_branch(company, "BJ01", "北京分行", "北京")
    south = create_branch(company, "SH01", "上海分行", "上海")
    return {
        "company": company,
        "north": north,
        "south": south,
        "north_team": Team.objects.create(branch=north, name="财富一组"),
        "south_team": Team.objects.create(branch=south, name="财富二组"),
    }


@pytest.fixture
def staff(org) -> dict:
    """One user per role; account managers, the branch manager and the team lead sit in the
    north branch, the team lead and the first account manager in its team."""
    north, south = org["north"], org["south"]
    make = create_staff
    return {
        "admin": make("admin", PASSWORD, [Role.ADMINISTRATOR], display_name="管理员"),
        "branch_manager": make("bm", PASSWORD, [Role.BRANCH_MANAGER], north, display_name="王行长"),
        "team_lead": make("lead", PASSWORD, [Role.TEAM_LEAD], north, org["north_team"], "陈组长"),
        "account_manager": make(
            "am", PASSWORD, [Role.ACCOUNT_MANAGER], north, org["north_team"], "李经理"
        ),
        "other_manager": make("am2", PASSWORD, [Role.ACCOUNT_MANAGER], north, None, "赵经理"),
        "south_manager": make("am3", PASSWORD, [Role.ACCOUNT_MANAGER], south, None, "孙经理"),
        "service_agent": make("agent", PASSWORD, [Role.SERVICE_AGENT], display_name="客服小周"),
        "marketer": make("marketer", PASSWORD, [Role.MARKETER], display_name="市场小吴"),
        "analyst": make("analyst", PASSWORD, [Role.ANALYST], display_name="分析师郑"),
        "auditor": make("auditor", PASSWORD, [Role.AUDITOR], display_name="审计员冯"),
    }


@pytest.fixture
def make_customer(staff, org) -> Callable[..., Customer]:
    """Create a customer through the service layer, as the administrator."""
    admin = policy.Viewer.of(staff["admin"])

    def make(name: str = "张三", **fields) -> Customer:
        data = {
            "name": name,
            "branch_id": org["north"].pk,
            "owner_id": staff["account_manager"].pk,
            "phone": "13812345678",
            "email": "zhangsan@example.com",
            **fields,
        }
        if data.get("kind", "individual") == "individual":
            data.setdefault("id_number", resident_id())  # an organisation has none
        return services.customer_create(
            viewer=admin,
            fields=CustomerFields.from_mapping(data),
            context=RequestContext(channel="test"),
        )

    return make


@pytest.fixture
def api_as(staff) -> Callable[[str], Client]:
    """A test client that calls the API with a bearer token of the named role's user."""

    def client_for(role: str) -> Client:
        _token, raw = ApiToken.issue(staff[role])
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return client_for
