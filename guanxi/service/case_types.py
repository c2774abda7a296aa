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
