"""Pipelines, their stages, and the opportunities that move through them."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer, Product
from guanxi.org.models import Branch


def in_language(english: str, chinese: str) -> str:
    """The name for the active language: Chinese when it is Chinese and there is one."""
    language = (get_language() or "").lower()
    return chinese if language.startswith("zh") and chinese else english


class StageKind(models.TextChoices):
    """Whether a stage is still being worked, or closes the opportunity."""

    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class LossReason(models.TextChoices):
    """Why an opportunity was lost (required when it is)."""

    PRICE = "price", _("Price or rate not competitive")
    COMPETITOR = "competitor", _("Went to a competitor")
    NO_NEED = "no_need", _("No need any more")
    NO_BUDGET = "no_budget", _("No budget or funds")
    RISK = "risk", _("Did not pass risk or compliance review")
    TIMING = "timing", _("Timing: postponed indefinitely")
    NO_CONTACT = "no_contact", _("Customer unreachable")
    OTHER = "other", _("Other")


class Pipeline(models.Model):
    """The stages one business line takes an opportunity through."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    business_line = models.CharField(_("business line"), max_length=64, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["-is_default", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return in_language(self.name_en, self.name_zh)


class Stage(models.Model):
    """One step of a pipeline, with the probability an opportunity there is won."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"))
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    probability = models.PositiveSmallIntegerField(_("default probability (%)"))
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_order_unique"),
            models.UniqueConstraint(fields=["pipeline", "code"], name="stage_code_unique"),
            models.CheckConstraint(
                condition=~models.Q(is_won=True, is_lost=True), name="stage_won_or_lost"
            ),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="stage_pct"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return in_language(self.name_en, self.name_zh)

    @property
    def kind(self) -> StageKind:
        """Open, won or lost."""
        if self.is_won:
            return StageKind.WON
        if self.is_lost:
            return StageKind.LOST
        return StageKind.OPEN


class Opportunity(models.Model):
    """A chance to sell a customer something, worked through a pipeline's stages."""

    name = models.CharField(_("name"), max_length=200)
    # Lists filter by status first; opportunity_customer_status starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="opportunities", db_index=False
    )
    # Most opportunities share a pipeline: an index of it would only mislead the planner
    # away from the owner and branch indexes (the stage index serves a pipeline's stages).
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities")
    # The stage's kind, kept beside it so lists of open work need no join.
    status = models.CharField(
        _("status"), max_length=8, choices=StageKind.choices, default=StageKind.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("owner"),
        db_index=False,
    )
    # The customer's branch, copied so record scope and branch forecasts need no join.
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"), db_index=False
    )
    amount = models.DecimalField(_("amount"), max_digits=15, decimal_places=2, default=0)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("product"),
    )  # fmt: skip
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True, default="")
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(_("probability (%)"))
    loss_reason = models.CharField(
        _("loss reason"), max_length=16, choices=LossReason.choices, blank=True, default=""
    )
    loss_note = models.CharField(_("loss note"), max_length=500, blank=True, default="")
    # No constraint in the database: each nightly run deletes the 2.5 million suggestions
    # of the run before, once it has unlinked them from here, and PostgreSQL checked each
    # against this table at commit (12 s at a million customers).
    source_suggestion = models.ForeignKey(
        "insights.CrossSellSuggestion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cross-sell suggestion"),
        db_constraint=False,
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["customer", "status"], name="opportunity_customer_status"),
            models.Index(
                fields=["owner", "status", "expected_close_date"], name="opportunity_owner"
            ),
            models.Index(
                fields=["branch", "status", "expected_close_date"], name="opportunity_branch"
            ),
            models.Index(fields=["stage", "expected_close_date"], name="opportunity_stage"),
            # A team's board: each column's first cards of the team's owners, instead of
            # reading the whole bank's stage in order until fifty of the team's turn up.
            models.Index(
                fields=["owner", "stage", "expected_close_date"], name="opportunity_owner_stage"
            ),
            models.Index(fields=["status", "expected_close_date"], name="opportunity_status"),
            models.Index(fields=["status", "next_step_due"], name="opportunity_next_step"),
            # A branch's open opportunities with a next step past due (process KPIs).
            models.Index(
                fields=["branch", "status", "next_step_due"], name="opportunity_branch_next_step"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="opp_pct"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="opp_amount"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:detail", args=[self.pk])

    @property
    def weighted_amount(self):
        """The amount times the probability of winning it."""
        return self.amount * self.probability / 100


class OpportunityMember(models.Model):
    """A colleague on an opportunity's team and their share of the credit (shares sum to 100)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(_("contribution share (%)"), max_digits=5, decimal_places=2)
    role = models.CharField(_("role on the team"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("opportunity team member")
        verbose_name_plural = _("opportunity team members")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user"], name="opp_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.share}%"


class StageChange(models.Model):
    """An opportunity's move from one stage to another (the first has no from-stage)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_history"
    )
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("changed"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as the moves are made, so that the process KPIs' stage conversion and time in
    # stage are sums over a branch's or person's moves of a period, read from their own
    # index (``guanxi.kpis.pipeline``), rather than a look for each move at its opportunity
    # and at the opportunity's other moves (0.9 s for a branch's quarter at half a million
    # opportunities). ``owner`` and ``branch``: the opportunity's when it moved (a move
    # counts for who made it, as contacts do); ``advanced``: a later move took the
    # opportunity to a stage further along that is not lost; ``from_entered_at``: when it
    # entered the stage this move leaves.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("account manager"),
    )
    branch = models.ForeignKey(
        Branch,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("branch"),
    )
    advanced = models.BooleanField(_("advanced later"), default=False)
    from_entered_at = models.DateTimeField(_("entered the stage left"), null=True, blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["opportunity", "changed_at"], name="stage_change_opp"),
            models.Index(fields=["branch", "changed_at"], name="stage_change_branch"),
            models.Index(fields=["owner", "changed_at"], name="stage_change_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"
