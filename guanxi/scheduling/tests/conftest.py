"""Fixtures of the calendar tests: customers, meetings, and a real local SMTP server."""

import datetime as dt
import email
import email.header
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from guanxi import policy
from guanxi.activities.inputs import ActivityFields
from guanxi.audit.services import RequestContext
from guanxi.scheduling import services

CONTEXT = RequestContext(channel="test")


def at(days: int = 1, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment ``days`` from today at the given local time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def mine(make_customer):
    """A customer of the account manager (north branch, north team)."""
    return make_customer("王客户")


@pytest.fixture
def theirs(make_customer, org, staff):
    """A customer of the south branch's account manager."""
    return make_customer("南方客户", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)


@pytest.fixture
def schedule(staff):
    """Schedule a meeting as a role (the account manager by default)."""

    def schedule_as(customer, role: str = "account_manager", *, remind=None, override=False,
                    **fields):  # fmt: skip
        data = {"kind": "meeting", "subject": "季度面谈", "customer_id": customer.pk,
                "starts_at": at(), "ends_at": at(hour=11), **fields}  # fmt: skip
        return services.meeting_schedule(
            viewer=policy.Viewer.of(staff[role]),
            fields=ActivityFields.from_mapping(data),
            context=CONTEXT,
            remind_minutes=remind,
            override_conflicts=override,
        )

    return schedule_as


class Inbox:
    """What the SMTP server received: parsed messages."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def to(self) -> list[str]:
        return [str(m["To"]) for m in self.messages]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on localhost that Django's SMTP backend sends to."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.fixture
def emails(staff):
    """Give every member of staff an e-mail address."""
    for user in staff.values():
        user.email = f"{user.username}@bank.example"
        user.save(update_fields=["email"])
    return staff
