"""Activities (visits, calls, meetings, e-mails, notes, tasks), their attachments, and the
contact rules per value tier.

An activity is about a customer or a lead (at least one; a lead's activities get its
customer when it is converted), and may work on one of the customer's opportunities. Its
record scope is its customer's, or its lead's when it has no customer
(``guanxi.policy.activities``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer, ValueTier


class ActivityKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    NOTE = "note", _("Note")
    TASK = "task", _("Task")


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ContactChannel(models.TextChoices):
    """How a contact was made, or how a contact rule wants it made."""

    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("WeChat / message")
    OTHER = "other", _("Other")


class Activity(models.Model):
    """One thing done (or to be done) with a customer or a lead, on one of the customer's
    opportunities or not."""

    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("customer"),
    )
    # The lead it is about: alone before the lead is converted, with the customer after.
    lead = models.ForeignKey(
        "leads.Lead",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("lead"),
    )
    # The customer's opportunity this activity worked on, when it worked on one.
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("opportunity"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("logged by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.DONE
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    channel = models.CharField(
        _("channel"), max_length=16, choices=ContactChannel.choices, blank=True
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    outcome = models.TextField(_("outcome"), blank=True, max_length=4000)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="activities_joined",
        verbose_name=_("participants"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            # The customer's timeline, the contact rules' "last contact" and the process
            # KPIs' contacts of a period: the status and kind in the index spare reading
            # each activity row (1.4 s -> 0.35 s for a quarter of a 100,000-customer branch).
            models.Index(
                fields=["customer", "-starts_at", "status", "kind"],
                name="activity_customer_contact",
            ),
            # Open tasks past due, per customer (the process KPIs' overdue tasks).
            models.Index(
                fields=["customer", "due_on"],
                condition=Q(kind="task", status="open"),
                name="activity_open_task_due",
            ),
            # My day: the user's agenda by time and open tasks by due date.
            models.Index(fields=["owner", "starts_at"], name="activity_owner_start"),
            # The start after the due day: overdue items come out of the index in my day's
            # order (due day, then start), so only the first page is read.
            models.Index(
                fields=["owner", "status", "due_on", "starts_at"], name="activity_owner_due_start"
            ),
            models.Index(fields=["kind", "starts_at"], name="activity_kind_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(lead__isnull=False),
                name="activity_about_customer_or_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    def about_name(self) -> str:
        """Whom it is about: its customer's name, or its lead's while it has no customer."""
        if self.customer is not None:
            return self.customer.name
        return self.lead.name if self.lead is not None else ""


class Attachment(models.Model):
    """A file kept with an activity, through Django's storage."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ContactRule(models.Model):
    """How often customers of a value tier must be contacted, and how."""

    value_tier = models.CharField(
        _("value tier"), max_length=16, choices=ValueTier.choices, unique=True
    )
    every_days = models.PositiveSmallIntegerField(_("every (days)"))
    kind = models.CharField(_("by"), max_length=16, choices=ActivityKind.choices)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact rule")
        verbose_name_plural = _("contact rules")

    def __str__(self) -> str:
        return f"{self.value_tier}: {self.kind} / {self.every_days}"
