"""Figures the process KPIs sum ahead of time, one row per local day and slice of the
portfolio (a branch and an account manager, for contacts also a value tier).

A branch's quarter is then a sum over a few thousand of these rows, where counting from
the activities, transactions and lifecycle moves probed every customer of the branch
(about 0.5 s a section at a million customers). Each row is derived: ``guanxi.kpis.daily``
keeps them, from the domains' events, and can rebuild them all from the source tables.
"""

from django.conf import settings
from django.db import models

from guanxi.activities.models import ActivityKind
from guanxi.customers.models import LifecycleStatus, ValueTier


class PortfolioDay(models.Model):
    """What every day figure is keyed by: the local day, and the customers' branch and
    owner (empty: unassigned) as they stood when the day was summed."""

    day = models.DateField()
    # Neither key has an index of its own: the indexes of each figure start with them.
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.branch_id}/{self.owner_id}"


class ContactDay(PortfolioDay):
    """Done visits, calls or meetings with the customers of one value tier on one day."""

    value_tier = models.CharField(max_length=16, choices=ValueTier.choices)
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    done = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["branch", "day", "owner", "value_tier", "kind", "done"],
                name="contactday_branch",
            ),
            models.Index(fields=["owner", "day"], name="contactday_owner"),
            models.Index(fields=["day"], name="contactday_day"),
        ]


class RevenueDay(PortfolioDay):
    """The customers' net transactions (refunds deducted) on one day."""

    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["branch", "day", "owner", "amount"], name="revenueday_branch"),
            models.Index(fields=["owner", "day"], name="revenueday_owner"),
        ]


class MoveDay(PortfolioDay):
    """Customers' lifecycle moves from one status to another on one day."""

    from_status = models.CharField(max_length=16, choices=LifecycleStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=LifecycleStatus.choices)
    moves = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["branch", "day", "owner", "from_status", "to_status", "moves"],
                name="moveday_branch",
            ),
            models.Index(fields=["owner", "day"], name="moveday_owner"),
        ]
