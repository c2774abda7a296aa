"""Schemathesis fuzzes every API operation: whatever it sends, the answer is never a 5xx.

The operations are driven through schemathesis' Python API rather than its pytest plugin,
which does not support pytest 9 yet.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from guanxi.org.models import ApiToken

EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def keep_test_connection():
    """Keep the test's transaction open across requests, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(staff, make_customer) -> str:
    make_customer("张三")
    make_customer("李四", phone="13900001111")
    return ApiToken.issue(staff["admin"])[1]


def _server_errors(operation, headers: dict) -> list[str]:
    errors: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            errors.append(f"{operation.label}: {response.status_code} for {case.as_curl_command()}")

    exercise()
    return errors


def test_no_request_gets_a_server_error(admin_token, keep_test_connection):
    headers = {"Authorization": f"Bearer {admin_token}"}
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    errors = [e for operation in operations for e in _server_errors(operation, headers)]
    assert errors == []
