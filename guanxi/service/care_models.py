"""Follow-up visits (回访) and care reminders.

A follow-up visit is one open task on its owner's my day (an ``Activity``: its owner, due
date, status and completion are the task's, kept there only); ``FollowUp`` adds why it
was scheduled (a new customer, a periodic visit by value tier, a closed complaint), the
occasion that makes the generator idempotent, and the outcome recorded.

A care reminder is an occasion in a customer's life (a birthday, a holiday, the
anniversary of becoming a customer, a product maturing, a large balance change). Birthdays,
holidays, anniversaries and maturities are worked out each day from the customers; a row
is kept once an occasion was greeted (by e-mail or by phone) — its unique occasion key is
what makes a greeting go out at most once — and for balance changes, which only the
service that changed the balance knows of.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer, Holding


class FollowUpReason(models.TextChoices):
    NEW_CUSTOMER = "new_customer", _("New customer")
    PERIODIC = "periodic", _("Periodic visit")
    COMPLAINT = "complaint", _("After a complaint")


class FollowUpOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    DECLINED = "declined", _("Declined")
    ISSUE_FOUND = "issue_found", _("Issue found")


class FollowUpRule(models.Model):
    """An administrator's setting of a follow-up reason: within how many days (of becoming
    a customer, or working days of a complaint's closing) the visit is due, and whether the
    reason schedules visits at all. Periodic visits follow the contact rules per value tier
    (``guanxi.activities.contact_rules``)."""

    reason = models.CharField(
        _("reason"), max_length=16, choices=FollowUpReason.choices, unique=True
    )
    days = models.PositiveSmallIntegerField(_("within (days)"))
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")

    def __str__(self) -> str:
        return f"{self.reason}: {self.days}"


class FollowUp(models.Model):
    """Why a follow-up task was scheduled, and what came of it."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="follow_ups", db_index=False
    )
    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="follow_up"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=FollowUpReason.choices)
    # What this visit is for, unique per customer: "new", "periodic:<day>",
    # "complaint:<case number>:<closing time>".
    occasion = models.CharField(max_length=80)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=FollowUpOutcome.choices, blank=True, default=""
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The case an issue found on the visit opened.
    case = models.ForeignKey(
        "service.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [
            # Also the generator's probe: has this customer a visit for this occasion?
            models.UniqueConstraint(fields=["customer", "occasion"], name="follow_up_occasion"),
        ]
        indexes = [models.Index(fields=["reason", "customer"], name="follow_up_reason")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.occasion}"


class CareKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    HOLIDAY = "holiday", _("Holiday")
    ANNIVERSARY = "anniversary", _("Anniversary")
    MATURITY = "maturity", _("Product maturing")
    BALANCE = "balance", _("Large balance change")


class CareStatus(models.TextChoices):
    OPEN = "open", _("To do")
    SENT = "sent", _("Greeting sent")
    PHONED = "phoned", _("Done by phone")


class CareReminder(models.Model):
    """One care occasion of one customer that was greeted, or is waiting (a balance
    change)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="care_reminders", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CareKind.choices)
    # "birthday:2026", "holiday:2026-10-01", "maturity:<holding>:<day>", ...
    occasion = models.CharField(max_length=80)
    on_date = models.DateField(_("date"))
    holding = models.ForeignKey(
        Holding, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        db_index=False,
    )  # fmt: skip
    detail = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CareStatus.choices, default=CareStatus.OPEN
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )  # fmt: skip
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("care reminder")
        verbose_name_plural = _("care reminders")
        constraints = [
            models.UniqueConstraint(fields=["customer", "occasion"], name="care_occasion"),
        ]
        indexes = [
            # The open balance-change reminders of a portfolio.
            models.Index(
                fields=["status", "customer"], name="care_open", condition=Q(status="open")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.occasion}"


class CareHoliday(models.Model):
    """A day an administrator added for holiday greetings (besides China's public
    holidays from ``chinese-calendar``), e.g. the bank's anniversary or Double Ninth."""

    day = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=50)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("greeting day")
        verbose_name_plural = _("greeting days")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class GreetingTemplate(models.Model):
    """An administrator's greeting for an occasion in one language; placeholders
    ``{name}``, ``{occasion}``, ``{date}``, ``{product}``, ``{manager}``."""

    kind = models.CharField(_("kind"), max_length=16, choices=CareKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), max_length=4000)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("greeting template")
        verbose_name_plural = _("greeting templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="greeting_template_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.language}"
