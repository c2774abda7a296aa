"""Company structure and the people who work in it."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyIndustry(models.TextChoices):
    """What the company does: it decides how customer value is measured
    (:data:`guanxi.analytics.value.PROFILES` has a profile per choice)."""

    BANK = "bank", _("Bank")
    TELECOM = "telecom", _("Telecom operator")
    RETAIL = "retail", _("Retail and other")


class Company(models.Model):
    """The organisation that runs Guanxi (a bank, an operator, a broker ...)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    industry = models.CharField(
        _("industry"), max_length=16, choices=CompanyIndustry.choices, default=CompanyIndustry.BANK
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """A branch of the company; customers and account managers belong to one."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="branches")
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team inside a branch."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="team_unique")]

    def __str__(self) -> str:
        return f"{self.branch.name} / {self.name}"


class Profile(models.Model):
    """A user's place in the organisation and the roles they hold."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    roles = models.JSONField(_("roles"), default=list)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


def hash_token(raw: str) -> str:
    """What is stored of a raw token: its SHA-256, hex."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    """Lookups of API tokens by their raw value (only the hash is stored)."""

    def for_raw(self, raw: str) -> "ApiToken | None":
        """The active token matching a raw bearer value, if any."""
        return self.active(hash_token(raw))

    def active(self, key_hash: str) -> "ApiToken | None":
        """The unrevoked token with this hash, with its user and profile, if any."""
        return (
            self.select_related("user", "user__profile")
            .filter(key_hash=key_hash, revoked=False)
            .first()
        )


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked = models.BooleanField(default=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    @classmethod
    def issue(cls, user, name: str = "api") -> tuple["ApiToken", str]:
        """Create a token for a user and return it with its raw value (shown once)."""
        raw = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=hash_token(raw)), raw


class PortfolioHandover(models.Model):
    """One handover of a colleague's portfolio: who gave it to whom, why, and how much moved.

    The records moved keep their own trail (audit entries, lead assignment history); this
    row is the step that joins them, named by those entries.
    """

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    # The receiver of every kind not given to someone else (``targets``).
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to"),
    )
    # {kind: user id} of every kind moved, the receiver of each.
    targets = models.JSONField(_("receivers"), default=dict)
    # {kind: number of records moved}.
    counts = models.JSONField(_("moved"), default=dict)
    reason = models.CharField(_("reason"), max_length=300)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(_("handed over"))

    class Meta:
        verbose_name = _("portfolio handover")
        verbose_name_plural = _("portfolio handovers")
        indexes = [models.Index(fields=["from_user", "handed_over_at"], name="handover_from")]

    def __str__(self) -> str:
        return f"{self.from_user_id} → {self.to_user_id} @ {self.handed_over_at:%Y-%m-%d}"
