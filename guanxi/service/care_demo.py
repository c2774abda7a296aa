"""Demo care data for ``guanxi demo-data --cases N``: some deposits and wealth products
mature in the coming weeks, so the demo's care list shows maturing products (birthdays,
holidays and anniversaries come from the demo customers themselves)."""

from datetime import timedelta

from django.db.models import F, IntegerField, Value
from django.db.models.functions import Cast, Mod
from django.utils import timezone

from guanxi.customers.models import Holding, ProductKind

EVERY = 25  # one open deposit or wealth holding in this many matures soon
WITHIN_DAYS = 45


def load_demo_maturities() -> int:
    """Give one open deposit or wealth holding in ``EVERY`` a maturity within
    ``WITHIN_DAYS`` days (spread by id; one UPDATE statement). Returns how many."""
    today = timezone.localdate()
    chosen = Holding.objects.annotate(slot=Mod(F("id"), Value(EVERY))).filter(
        slot=0,
        closed_at__isnull=True,
        matures_on__isnull=True,
        product__kind__in=[ProductKind.DEPOSIT, ProductKind.WEALTH],
    )
    made = 0
    for offset in range(0, WITHIN_DAYS, 5):  # a handful of days, not one per holding
        part = chosen.annotate(
            band=Mod(Cast(F("id") / Value(EVERY), IntegerField()), Value(WITHIN_DAYS // 5))
        ).filter(band=offset // 5)
        made += Holding.objects.filter(pk__in=part.values("pk")).update(
            matures_on=today + timedelta(days=offset + 1)
        )
    return made
