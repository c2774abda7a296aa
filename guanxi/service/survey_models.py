"""Satisfaction surveys: the templates administrators configure, the invitations sent to
customers (after a resolved case, or periodically), and the customers' answers.

A template's questions are asked in the customer's language (Chinese or English): CSAT
(1–5), NPS (0–10), a free comment, and service elements the customer rates twice — how
much it matters to them (importance, 1–5) and how well we did (performance, 1–5). A blank
question is not asked.

An invitation keeps only the SHA-256 of its token (the raw token is in the link the
customer receives, never stored). A response copies who and what it is about — branch,
agent, team, product — as they were when the customer answered, so the reports group
them by an index without joining back through cases and staff.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer, Product
from guanxi.org.models import Branch, Team
from guanxi.service.case_models import Case, in_language

USER = settings.AUTH_USER_MODEL


class SurveyKind(models.TextChoices):
    AFTER_CASE = "after_case", _("After a case")
    PERIODIC = "periodic", _("Periodic")


class SurveyLanguage(models.TextChoices):
    ZH = "zh-hans", _("Chinese")
    EN = "en", _("English")


class SurveyTemplate(models.Model):
    """A survey as administrators configure it. ``elements`` is a list of
    ``{"code": ..., "name": ..., "name_en": ...}``, read and written whole."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=SurveyKind.choices)
    active = models.BooleanField(_("active"), default=True)
    csat_question = models.CharField(_("CSAT question"), max_length=300, blank=True, default="")
    csat_question_en = models.CharField(
        _("CSAT question (English)"), max_length=300, blank=True, default=""
    )
    nps_question = models.CharField(_("NPS question"), max_length=300, blank=True, default="")
    nps_question_en = models.CharField(
        _("NPS question (English)"), max_length=300, blank=True, default=""
    )
    comment_question = models.CharField(
        _("comment question"), max_length=300, blank=True, default=""
    )
    comment_question_en = models.CharField(
        _("comment question (English)"), max_length=300, blank=True, default=""
    )
    elements = models.JSONField(_("service elements"), default=list, blank=True)
    valid_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=14)
    # A periodic survey's schedule: the daily run invites each customer in a relationship
    # at most once in ``every_days`` days, at most ``daily_limit`` of them a day (a sample
    # the desk can read, not the whole base at once). Empty: only when someone invites.
    every_days = models.PositiveSmallIntegerField(_("invite every (days)"), null=True, blank=True)
    daily_limit = models.PositiveIntegerField(_("invitations a day at most"), default=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["kind", "active"], name="survey_template_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return in_language(self.name_en or self.name, self.name)


class SurveyInvitation(models.Model):
    """One customer asked to answer one survey, once, before ``expires_at``."""

    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, related_name="invitations",
        verbose_name=_("survey"),
    )  # fmt: skip
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("case"),
    )  # fmt: skip
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=SurveyLanguage.choices, default=SurveyLanguage.ZH
    )
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        indexes = [
            models.Index(fields=["customer", "sent_at"], name="survey_invitation_customer"),
            models.Index(fields=["case"], name="survey_invitation_case"),
        ]
        constraints = [
            # One survey per resolved case and template: a repeated event invites no one twice.
            models.UniqueConstraint(
                fields=["case", "template"], condition=Q(case__isnull=False),
                name="survey_invitation_case_once",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.template_id}/{self.customer_id}"


class SurveyResponse(models.Model):
    """A customer's answer to an invitation (at most one)."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.PROTECT, related_name="response"
    )
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    answered_at = models.DateTimeField(_("answered"))
    csat = models.PositiveSmallIntegerField(_("CSAT"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("NPS"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, default="")
    # Who and what the answer is about, as it was when answered (the reports' groups).
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    agent = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    follow_up_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, verbose_name=_("follow-up case"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["answered_at"], name="survey_response_answered"),
            models.Index(fields=["branch", "answered_at"], name="survey_response_branch"),
            models.Index(fields=["team", "answered_at"], name="survey_response_team"),
            models.Index(fields=["agent", "answered_at"], name="survey_response_agent"),
            models.Index(fields=["product", "answered_at"], name="survey_response_product"),
            models.Index(fields=["customer", "answered_at"], name="survey_response_customer"),
            models.Index(fields=["case"], name="survey_response_case"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5),
                name="survey_response_csat_range",
            ),
            models.CheckConstraint(
                condition=Q(nps__isnull=True) | Q(nps__lte=10), name="survey_response_nps_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.csat}/{self.nps}"


class SurveyElementRating(models.Model):
    """How much one service element matters to the customer, and how well we did."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="element_ratings"
    )
    element = models.CharField(_("service element"), max_length=32)
    importance = models.PositiveSmallIntegerField(_("importance"))
    performance = models.PositiveSmallIntegerField(_("performance"))

    class Meta:
        verbose_name = _("service element rating")
        verbose_name_plural = _("service element ratings")
        constraints = [
            models.UniqueConstraint(fields=["response", "element"], name="survey_element_once"),
            models.CheckConstraint(
                condition=Q(importance__gte=1, importance__lte=5)
                & Q(performance__gte=1, performance__lte=5),
                name="survey_element_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} {self.element}"
