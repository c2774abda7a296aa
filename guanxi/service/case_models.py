"""What the service desk works: cases (complaints, inquiries, service and internal
requests, praise), the queues they wait in, the administrator's category tree and
root-cause taxonomy, and each case's history of state moves and assignments.

A case stores its SLA deadlines, so due work is found by a query on an index of the open
cases' deadlines, never by reloading every open case.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer, Product
from guanxi.org.models import Branch
from guanxi.service.case_types import (
    CaseChannel,
    CasePriority,
    CaseState,
    CaseType,
    Department,
)
from guanxi.service.models import SlaPolicy

# States in which a case is still being worked, and its SLA clock may run.
OPEN_STATES = (
    CaseState.NEW,
    CaseState.ACKNOWLEDGED,
    CaseState.IN_PROGRESS,
    CaseState.WAITING,
)
IN_OPEN_STATE = Q(state__in=OPEN_STATES)
# Open ≡ not resolved: a case has a resolution time exactly when it is resolved, confirmed or
# closed (a check constraint keeps the two together). Partial indexes are conditioned on
# this IS NULL rather than on the states, because SQLite uses a partial index only when
# the query's terms match its condition literally, and Django binds the states of an IN
# as parameters; IS NULL is written into the SQL as it stands.
OPEN = Q(resolved_at__isnull=True)
# Open and its clock running (not waiting on the customer): what the sweep looks at.
RUNNING = OPEN & Q(paused_since__isnull=True)
USER = settings.AUTH_USER_MODEL
# The queue's order: higher tiers first (the green channel), then the nearest resolution
# deadline, cases without one last, then the oldest. Written out (not NULLS LAST) so that
# SQLite and PostgreSQL both read it from one index.
QUEUE_ORDER = (
    F("tier_rank"),
    ExpressionWrapper(Q(resolution_due__isnull=True), output_field=models.BooleanField()),
    F("resolution_due"),
    F("created_at"),
    F("id"),
)


def in_language(english: str, chinese: str) -> str:
    """The name for the active language: Chinese when it is Chinese."""
    return chinese if (get_language() or "").lower().startswith("zh") else english


class ServiceQueue(models.Model):
    """A queue cases wait in: the service desk or a back-office department (of a branch,
    or of the head office when it has none), with the agents who work it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("department"), max_length=16, choices=Department.choices)
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("branch"),
    )  # fmt: skip
    members: models.ManyToManyField = models.ManyToManyField(
        USER, blank=True, related_name="service_queues"
    )

    class Meta:
        verbose_name = _("service queue")
        verbose_name_plural = _("service queues")
        indexes = [models.Index(fields=["kind", "branch"], name="service_queue_kind")]

    def __str__(self) -> str:
        return self.name


class CaseCategory(models.Model):
    """A node of the administrator's category tree; it may name the queue its cases go to."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, default="")
    default_queue = models.ForeignKey(
        ServiceQueue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("default queue"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language (the Chinese one when there is no English)."""
        return in_language(self.name_en or self.name, self.name)


class RootCause(models.Model):
    """A node of the root-cause taxonomy a resolved complaint names."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language (the Chinese one when there is no English)."""
        return in_language(self.name_en or self.name, self.name)


class Case(models.Model):
    """A customer's complaint, inquiry, request or praise, or a branch's internal request
    to a back-office department about a customer's problem."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    case_type = models.CharField(_("case type"), max_length=32, choices=CaseType.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=CaseChannel.choices)
    category = models.ForeignKey(
        CaseCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("category"),
    )  # fmt: skip
    priority = models.CharField(_("priority"), max_length=16, choices=CasePriority.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="cases", verbose_name=_("customer")
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("product"),
    )  # fmt: skip
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.NEW
    )
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("agent"),
    )  # fmt: skip
    queue = models.ForeignKey(
        ServiceQueue, null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
        verbose_name=_("queue"),
    )  # fmt: skip
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("branch"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Complaints.
    on_the_spot = models.BooleanField(_("solved on the spot"), default=False)
    promised_reply_at = models.DateTimeField(_("promised reply"), null=True, blank=True)
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("root cause"),
    )  # fmt: skip
    resolution_note = models.TextField(_("resolution note"), blank=True, default="")
    customer_confirmed = models.BooleanField(_("confirmed by the customer"), default=False)
    contact_attempted_at = models.DateTimeField(
        _("attempt to reach the customer"), null=True, blank=True
    )
    # What the complaint cost: refunds, fees waived, goodwill paid (the Pareto's cost).
    compensation = models.DecimalField(
        _("compensation"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    # The SLA clock: the policy and the deadlines it gave, stored for the sweep's index.
    tier_rank = models.PositiveSmallIntegerField(default=0)
    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # When a fifth of the resolution target is left: "due soon" from then on.
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    # Working time spent waiting on the customer (the policy calendar's), all pauses.
    paused_total = models.DurationField(_("paused working time"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_to = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # A closed complaint's follow-up of the customer's reaction (the latest closing's): a
    # task on the account manager's my day (``guanxi.service.handlers``).
    follow_up_activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False, verbose_name=_("follow-up"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The sweep: open cases by deadline (partial, so closed history costs nothing).
            models.Index(fields=["resolution_due"], condition=RUNNING, name="case_open_resolution"),
            models.Index(
                fields=["first_response_due"],
                condition=RUNNING & Q(first_responded_at__isnull=True),
                name="case_open_first_response",
            ),
            models.Index(
                fields=["resolution_warn_at"],
                condition=RUNNING & Q(warned_at__isnull=True),
                name="case_open_unwarned",
            ),
            # The desk's queue, in its order: a page of it is the index's first entries; the
            # columns the policy's scope reads come along, so the count reads the index only.
            models.Index(
                *QUEUE_ORDER,
                F("owner"),
                F("queue"),
                F("state"),
                F("case_type"),
                condition=OPEN,
                name="case_open_queue",
            ),  # fmt: skip
            models.Index(fields=["queue", "state", "tier_rank"], name="case_queue"),
            models.Index(fields=["owner", "state"], name="case_owner"),
            models.Index(fields=["branch", "state"], name="case_branch"),
            models.Index(fields=["customer", "created_at"], name="case_customer"),
            models.Index(fields=["state", "case_type"], name="case_state_type"),
            models.Index(fields=["priority", "state"], name="case_priority"),
            # Root-cause analysis: resolved complaints by cause, read from the index alone.
            # The case type is a column too, although the condition fixes it: SQLite's
            # planner reads only columns, and would look each case up to check its type.
            models.Index(
                fields=["resolved_at", "root_cause", "compensation", "case_type"],
                condition=Q(root_cause__isnull=False, case_type=CaseType.COMPLAINT),
                name="case_resolved_cause",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(IN_OPEN_STATE & Q(resolved_at__isnull=True))
                | (~IN_OPEN_STATE & Q(resolved_at__isnull=False)),
                name="case_resolved_at_when_done",
            )
        ]

    def __str__(self) -> str:
        return self.number


class CaseTransition(models.Model):
    """A case's move from one state to another (the first has no from-state)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=CaseState.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True, default="")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")
        indexes = [models.Index(fields=["case", "at"], name="case_transition")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state} → {self.to_state}"


class CaseAssignment(models.Model):
    """A case given to an agent or a queue: the history of transfers between departments."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    from_owner = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    to_owner = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    from_queue = models.ForeignKey(
        ServiceQueue, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_queue = models.ForeignKey(
        ServiceQueue, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("case assignment")
        verbose_name_plural = _("case assignments")
        indexes = [models.Index(fields=["case", "at"], name="case_assignment")]

    def __str__(self) -> str:
        return f"{self.case_id}: → {self.to_queue_id}/{self.to_owner_id}"


class CorrectiveAction(models.Model):
    """What was done about a root cause, and when: complaints with the cause afterwards are
    its recurrence."""

    root_cause = models.ForeignKey(
        RootCause, on_delete=models.PROTECT, related_name="corrective_actions",
        verbose_name=_("root cause"),
    )  # fmt: skip
    taken_on = models.DateField(_("taken on"))
    description = models.CharField(_("description"), max_length=1000)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [models.Index(fields=["root_cause", "taken_on"], name="corrective_cause")]

    def __str__(self) -> str:
        return f"{self.root_cause_id} {self.taken_on}"


class CaseAttachment(models.Model):
    """A file kept with a case (a letter, a screenshot, a statement), through Django's
    storage."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="case-attachments/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")

    def __str__(self) -> str:
        return self.name
