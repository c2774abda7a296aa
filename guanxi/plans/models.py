"""An account manager's plans: a week's or a month's planned contacts per customer, the
period's targets, and the weekly review of what changed for each planned customer.

A plan is an owned record (owner and branch, ``guanxi.policy.plans``): its owner's branch is
copied onto it, so record scope needs no join. Whether a planned item was done is not
stored: it is read from the activities (``guanxi.plans.completion``), so it can never
disagree with them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.activities.models import ActivityKind
from guanxi.customers.models import Customer
from guanxi.org.models import Branch


class PlanPeriod(models.TextChoices):
    """How long a plan runs: a week from Monday, or a calendar month."""

    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class PlannedKind(models.TextChoices):
    """The contacts a plan can hold: the activity kinds that meet a customer."""

    VISIT = ActivityKind.VISIT.value, ActivityKind.VISIT.label
    CALL = ActivityKind.CALL.value, ActivityKind.CALL.label
    MEETING = ActivityKind.MEETING.value, ActivityKind.MEETING.label


class TargetMetric(models.TextChoices):
    """What a plan's target counts (the actual figures: ``guanxi.plans.completion``)."""

    CONTACTS = "contacts", _("Contacts (visits, calls, meetings)")
    VISITS = "visits", _("Visits")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    NEW_OPPORTUNITIES = "new_opportunities", _("New opportunities")
    WON_AMOUNT = "won_amount", _("Opportunity amount won")


class ReviewChange(models.TextChoices):
    """What the weekly review found changed for a planned customer."""

    LIFECYCLE = "lifecycle", _("Lifecycle stage moved")
    OPPORTUNITY = "opportunity", _("Opportunity stage moved")
    BOTH = "both", _("Lifecycle and opportunity moved")
    NONE = "none", _("No change")


class Plan(models.Model):
    """One account manager's plan for a week (from Monday) or a month (from the 1st)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plans",
        verbose_name=_("account manager"), db_index=False,
    )  # fmt: skip
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"), db_index=False
    )
    period = models.CharField(_("period"), max_length=8, choices=PlanPeriod.choices)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))  # the last day, included
    note = models.CharField(_("note"), max_length=1000, blank=True, default="")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("reviewed by"), db_index=False,
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "period", "starts_on"], name="plan_owner_period_unique"
            ),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="plan_ends_after_start"),
        ]  # fmt: skip
        indexes = [
            # The list pages and the KPIs: a branch's plans of a kind over a span.
            models.Index(fields=["branch", "period", "starts_on"], name="plan_branch"),
            models.Index(fields=["period", "starts_on"], name="plan_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.starts_on}"


class PlanItem(models.Model):
    """A planned visit, call or meeting with one customer, on a day of the plan or any time
    in it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PlannedKind.choices)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("planned contact")
        verbose_name_plural = _("planned contacts")
        indexes = [models.Index(fields=["plan", "planned_on"], name="plan_item_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer_id}"


class PlanTarget(models.Model):
    """A plan's target for one metric over its period."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("metric"), max_length=24, choices=TargetMetric.choices)
    target = models.DecimalField(_("target"), max_digits=15, decimal_places=2)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["plan", "metric"], name="plan_target_unique"),
            models.CheckConstraint(condition=models.Q(target__gte=0), name="plan_target_min"),
        ]

    def __str__(self) -> str:
        return f"{self.metric}: {self.target}"


class ItemReview(models.Model):
    """The weekly review of one planned contact: did the customer's status move?"""

    item = models.OneToOneField(PlanItem, on_delete=models.CASCADE, related_name="review")
    change = models.CharField(_("change"), max_length=16, choices=ReviewChange.choices)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed"))

    class Meta:
        verbose_name = _("review of a planned contact")
        verbose_name_plural = _("reviews of planned contacts")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.change}"


# The activity kinds that count as a contact of a customer (targets and KPIs).
CONTACT_KINDS = tuple(PlannedKind.values)
