"""Leads: prospects captured from any channel, scored, assigned, and converted to customers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.customers.models import Customer
from guanxi.org.models import Branch, Team


class LeadStatus(models.TextChoices):
    """Where a lead stands (the moves between them are in ``guanxi.leads.workflow``)."""

    NEW = "new", pgettext_lazy("lead status", "New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    DISQUALIFIED = "disqualified", _("Disqualified")
    KEPT = "kept", _("Kept for later")


class LeadSource(models.TextChoices):
    """The channel a lead came through."""

    WALK_IN = "walk_in", _("Branch walk-in")
    PHONE = "phone", _("Phone")
    WEB_FORM = "web_form", _("Web form")
    REFERRAL = "referral", _("Referral")
    CAMPAIGN = "campaign", _("Campaign")
    EVENT = "event", _("Event")


class AssignmentMethod(models.TextChoices):
    """How a lead came to its owner."""

    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round-robin in a team")
    RULE = "rule", _("Assignment rule")
    CREATOR = "creator", _("Created by the owner")
    HANDOVER = "handover", _("Portfolio handover")


class Lead(models.Model):
    """A prospect: someone who may become a customer."""

    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    email = models.CharField(_("email"), max_length=254, blank=True, default="")
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True, default="")
    company = models.CharField(_("company"), max_length=200, blank=True, default="")
    industry = models.CharField(_("industry"), max_length=100, blank=True, default="")
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"), db_index=False
    )
    territory = models.CharField(_("territory"), max_length=100, blank=True, default="")
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices)
    referrer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="referred_leads",
        verbose_name=_("referred by"),
    )  # fmt: skip
    campaign = models.CharField(_("campaign or event"), max_length=200, blank=True, default="")
    note = models.CharField(_("note"), max_length=1000, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="leads", verbose_name=_("owner"), db_index=False,
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    # [[rule code, points], ...]: what the score is made of, shown translated on the page.
    score_reasons = models.JSONField(_("score reasons"), default=list)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("escalated to"), db_index=False,
    )  # fmt: skip
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="leads",
        verbose_name=_("customer"),
    )  # fmt: skip
    opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("opportunity"),
    )  # fmt: skip
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["owner", "status", "created_at"], name="lead_owner"),
            models.Index(fields=["branch", "status", "created_at"], name="lead_branch"),
            # A branch's leads captured in a period, whatever their status (process KPIs):
            # without it SQLite read every lead of the period through (status, created).
            models.Index(fields=["branch", "created_at"], name="lead_branch_created"),
            models.Index(fields=["status", "created_at"], name="lead_status"),
            models.Index(fields=["created_by", "created_at"], name="lead_creator"),
            models.Index(fields=["source", "created_at"], name="lead_source"),
            models.Index(fields=["escalated_to", "status"], name="lead_escalated_to"),
            models.Index(fields=["phone"], name="lead_phone"),
            models.Index(fields=["id_number"], name="lead_id_number"),
            models.Index(fields=["email"], name="lead_email"),
            # The escalation sweep: leads nobody has answered yet, oldest first.
            models.Index(
                fields=["created_at"],
                name="lead_awaiting_response",
                condition=Q(first_response_at__isnull=True, escalated_at__isnull=True),
            ),
        ]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="lead_score_max")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("leads:detail", args=[self.pk])


class LeadStatusChange(models.Model):
    """A lead's move from one status to another (the first has no from-status)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=16, choices=LeadStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=LeadStatus.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    changed_at = models.DateTimeField(_("changed"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("lead status change")
        verbose_name_plural = _("lead status changes")
        indexes = [models.Index(fields=["lead", "changed_at"], name="lead_status_change")]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_status} → {self.to_status}"


class LeadAssignment(models.Model):
    """A lead given to an owner: manual, round-robin or by rule; the history of owners."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments")
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    method = models.CharField(_("method"), max_length=16, choices=AssignmentMethod.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    assigned_at = models.DateTimeField(_("assigned"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        indexes = [
            models.Index(fields=["lead", "assigned_at"], name="lead_assignment_lead"),
            # Round-robin: whose turn it is is who was given a lead longest ago.
            models.Index(fields=["to_owner", "assigned_at"], name="lead_assignment_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_owner_id} → {self.to_owner_id}"


class AssigneeSetting(models.Model):
    """A colleague's availability for new leads: away until a date, and a capacity."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead_setting"
    )
    absent_until = models.DateField(_("absent until"), null=True, blank=True)
    max_open_leads = models.PositiveIntegerField(
        _("most open leads"), null=True, blank=True,
        help_text=_("Empty: the default capacity."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("lead assignee setting")
        verbose_name_plural = _("lead assignee settings")

    def __str__(self) -> str:
        return str(self.user_id)


class AssignmentRule(models.Model):
    """New leads matching the branch, industry and territory go round-robin to the team.

    An empty industry or territory matches any; the lowest priority number is tried first.
    """

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    industry = models.CharField(_("industry"), max_length=100, blank=True, default="")
    territory = models.CharField(_("territory"), max_length=100, blank=True, default="")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)

    class Meta:
        verbose_name = _("lead assignment rule")
        verbose_name_plural = _("lead assignment rules")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.branch_id}/{self.industry}/{self.territory} → {self.team_id}"


class ScoreRule(models.Model):
    """The weight an administrator gives one scoring rule (``guanxi.leads.scoring``)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("lead score rule")
        verbose_name_plural = _("lead score rules")
        constraints = [models.CheckConstraint(condition=Q(points__lte=100), name="score_rule_max")]

    def __str__(self) -> str:
        return f"{self.code}: {self.points}"
