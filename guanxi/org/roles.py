"""The roles a Guanxi user can hold."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A job role; a user may hold several, and gets the union of their rights."""

    ADMINISTRATOR = "administrator", _("Administrator")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    TEAM_LEAD = "team_lead", _("Team lead")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    SERVICE_AGENT = "service_agent", _("Service agent")
    MARKETER = "marketer", _("Marketer")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")
