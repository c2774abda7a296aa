"""What a case is and how urgent: the choices SLA policies are keyed by, and cases will be."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseType(models.TextChoices):
    """A case's type. An internal request is a branch asking a back-office department
    (research, technology, settlement, risk, compliance) to solve a customer's problem."""

    COMPLAINT = "complaint", _("Complaint")
    INQUIRY = "inquiry", _("Inquiry")
    SERVICE_REQUEST = "service_request", _("Service request")
    PRAISE = "praise", _("Praise")
    INTERNAL_REQUEST = "internal_request", _("Internal request")


class CasePriority(models.TextChoices):
    """How urgent a case is."""

    LOW = "low", pgettext_lazy("case priority", "Low")
    NORMAL = "normal", pgettext_lazy("case priority", "Normal")
    HIGH = "high", pgettext_lazy("case priority", "High")
    URGENT = "urgent", pgettext_lazy("case priority", "Urgent")


class CaseChannel(models.TextChoices):
    """Where a case came in."""

    BRANCH = "branch", _("Branch")
    HOTLINE = "hotline", _("Hotline")
    ONLINE = "online", _("Online")
    APP = "app", _("App")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")


class CaseState(models.TextChoices):
    """Where a case is in its workflow (``guanxi.service.workflow``)."""

    NEW = "new", pgettext_lazy("case state", "New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on the customer")
    RESOLVED = "resolved", pgettext_lazy("case state", "Resolved")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    CLOSED = "closed", pgettext_lazy("case state", "Closed")


class Department(models.TextChoices):
    """The kind of a queue: the service desk or a back-office department."""

    SERVICE_DESK = "service_desk", _("Service desk")
    RESEARCH = "research", _("Research")
    TECHNOLOGY = "technology", _("Technology")
    SETTLEMENT = "settlement", _("Settlement")
    RISK = "risk", _("Risk")
    COMPLIANCE = "compliance", _("Compliance")
