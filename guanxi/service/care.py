"""Care reminders: each day's list of a viewer's customers to greet, and greeting them.

Occasions within the next ``care_days_ahead`` days (today included):

* birthdays — a birthday on 29 February is greeted on 28 February in other years;
* holidays — the first day of each public holiday (``chinese-calendar``, or the official
  schedule an administrator entered) and each greeting day an administrator added;
* anniversaries of becoming a customer (from the first full year);
* products maturing within ``maturity_days_ahead`` days (``Holding.matures_on``);
* large balance changes, recorded by ``care_balance_change`` when a balance changes by at
  least ``large_balance_change``.

The list is worked out from the viewer's customers (their scope for
``care_reminder.view``, by the indexes that start with the owner or branch); an occasion
greeted is kept as a ``CareReminder`` whose unique occasion key means it is never greeted
twice. Birthdays are shown as the viewer may see them, and the read is audited; e-mail
addresses are never shown here, only whether there is one.
"""

import smtplib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.concurrency import VersionConflict, save_if_version
from guanxi.customers.models import Customer, Holding
from guanxi.customers.yearly_days import celebrated_on, dates_falling_on, moments_falling_on
from guanxi.service.care_models import CareHoliday, CareKind, CareReminder, CareStatus
from guanxi.service.config import service_setting
from guanxi.service.greetings import LANGUAGES, greeting_render
from guanxi.service.holidays import public_days

SHOWN = 50  # customers per occasion
# China's public holidays by the package's English name and by the Chinese name an
# administrator enters in an official schedule: a greeting names it in its own language.
_HOLIDAYS = (
    ("New Year's Day", "元旦", gettext_lazy("New Year's Day")),
    ("Spring Festival", "春节", gettext_lazy("Spring Festival")),
    ("Tomb-sweeping Day", "清明节", gettext_lazy("Tomb-sweeping Day")),
    ("Labour Day", "劳动节", gettext_lazy("Labour Day")),
    ("Dragon Boat Festival", "端午节", gettext_lazy("Dragon Boat Festival")),
    ("National Day", "国庆节", gettext_lazy("National Day")),
    ("Mid-autumn Festival", "中秋节", gettext_lazy("Mid-autumn Festival")),
)
HOLIDAY_NAMES = {
    name: label for english, chinese, label in _HOLIDAYS for name in (english, chinese)
}
CHANNELS = {"email": CareStatus.SENT, "phone": CareStatus.PHONED}


@dataclass
class CareLine:
    """One occasion of one customer on the list."""

    kind: str
    customer_id: int
    customer_name: str
    on_date: date
    occasion: str
    detail: str = ""
    status: str = CareStatus.OPEN
    version: int = 0  # of the kept reminder (0: none kept yet)
    birthday: str | None = None  # as the viewer may see it
    has_email: bool = False
    values: dict = field(default_factory=dict, repr=False)  # the greeting's placeholders

    @property
    def kind_label(self) -> str:
        return str(CareKind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(CareStatus(self.status).label)

    @property
    def done(self) -> bool:
        return self.status != CareStatus.OPEN


def today() -> date:
    """Today's date where the bank is (tests fix it)."""
    return timezone.localdate()


def _on_window(value: date, days: list[date]) -> date | None:
    for day in days:
        if celebrated_on(value, day.year) == day:
            return day
    return None


def _customers(viewer: policy.Viewer):
    return policy.scoped(viewer, Customer.objects.all(), "care_reminder.view")


def _line(kind: str, c: Customer, on: date, key: str, detail: str = "", **values) -> CareLine:
    return CareLine(
        kind=kind, customer_id=c.pk, customer_name=c.name, on_date=on, occasion=key,
        detail=detail, has_email=bool(c.email),
        values={"name": c.name, "date": on.isoformat(), "occasion": detail, **values},
    )  # fmt: skip


FIELDS = ("id", "name", "email", "birthday", "created_at", "owner_id", "branch_id")


def _birthdays(viewer: policy.Viewer, days: list[date], context: RequestContext | None):
    found = list(
        _customers(viewer)
        .filter(dates_falling_on(days, "birthday"))
        .only(*FIELDS)
        .order_by("name", "id")[:SHOWN]
    )
    access = policy.field_access(viewer, found)
    lines = []
    for c in found:
        shown = policy.present("birthday", c.birthday, policy.access_to("birthday", access[c.pk]))
        on = _on_window(c.birthday, days)
        if shown and on is not None:
            line = _line(CareKind.BIRTHDAY, c, on, f"birthday:{on.year}")
            line.birthday = shown
            lines.append(line)
    if lines and context is not None:
        ids = [line.customer_id for line in lines]
        record(viewer.user, AuditAction.READ, "customer", ids, ["name", "birthday"], context)
    return lines


def _anniversaries(viewer: policy.Viewer, days: list[date]) -> list[CareLine]:
    found = (
        _customers(viewer)
        .filter(moments_falling_on(days, "created_at"))
        .filter(created_at__lt=timezone.now() - timedelta(days=360))
        .only(*FIELDS)
        .order_by("name", "id")[:SHOWN]
    )
    lines = []
    for c in found:
        since = timezone.localdate(c.created_at)
        on = _on_window(since, days)
        if on is not None and on.year > since.year:
            years = str(on.year - since.year)
            lines.append(_line(CareKind.ANNIVERSARY, c, on, f"anniversary:{on.year}", years))
    return lines


def greeting_days(days: list[date]) -> list[tuple[date, Any]]:
    """The holidays starting within ``days`` and the administrators' greeting days."""
    public = public_days().holidays
    found = []
    for day in days:
        name = public.get(day)
        if name and public.get(day - timedelta(days=1)) != name:
            # Lazy: a greeting names the holiday in its own language.
            found.append((day, HOLIDAY_NAMES.get(name, name)))
    found += list(
        CareHoliday.objects.filter(day__gte=days[0], day__lte=days[-1]).values_list("day", "name")
    )
    return sorted(found, key=lambda found_day: found_day[0])


def _holidays(viewer: policy.Viewer, days: list[date]) -> list[CareLine]:
    holidays = greeting_days(days)
    if not holidays:
        return []
    customers = list(_customers(viewer).only(*FIELDS).order_by("name", "id")[:SHOWN])
    return [
        _line(CareKind.HOLIDAY, c, day, f"holiday:{day.isoformat()}", str(name), occasion=name)
        for day, name in holidays
        for c in customers
    ]


def _maturities(viewer: policy.Viewer, first: date) -> list[CareLine]:
    until = first + timedelta(days=service_setting("maturity_days_ahead"))
    found = (
        Holding.objects.filter(
            matures_on__gte=first,
            matures_on__lte=until,
            closed_at__isnull=True,
            customer__in=_customers(viewer),
        )
        .select_related("customer", "product")
        .order_by("matures_on", "id")[:SHOWN]
    )
    return [
        _line(
            CareKind.MATURITY,
            h.customer,
            h.matures_on or first,
            f"maturity:{h.pk}:{h.matures_on}",
            h.product.name,
            product=h.product.name,
        )  # fmt: skip
        for h in found
    ]


def _balance_changes(viewer: policy.Viewer) -> list[CareLine]:
    found = (
        CareReminder.objects.filter(
            status=CareStatus.OPEN, kind=CareKind.BALANCE, customer__in=_customers(viewer)
        )
        .select_related("customer")
        .order_by("on_date", "id")[:SHOWN]
    )
    lines = []
    for r in found:
        product = r.detail.get("product", "")
        line = _line(CareKind.BALANCE, r.customer, r.on_date, r.occasion, product, product=product)
        line.version = r.version
        lines.append(line)
    return lines


def care_list_for_user(
    *, viewer: policy.Viewer, context: RequestContext | None, on: date | None = None
) -> list[CareLine]:
    """The viewer's care occasions of today and the coming days, each with whether it was
    greeted (the birthdays' read audited when ``context`` is given)."""
    policy.require(viewer, "care_reminder.view")
    first = on or today()
    days = [first + timedelta(days=n) for n in range(service_setting("care_days_ahead") + 1)]
    lines = [
        *_birthdays(viewer, days, context),
        *_holidays(viewer, days),
        *_anniversaries(viewer, days),
        *_maturities(viewer, first),
    ]
    if lines:
        kept = CareReminder.objects.filter(
            customer_id__in={line.customer_id for line in lines},
            occasion__in={line.occasion for line in lines},
        ).values_list("customer_id", "occasion", "status", "version")
        done = {(c, o): (s, v) for c, o, s, v in kept}
        for line in lines:
            line.status, line.version = done.get(
                (line.customer_id, line.occasion), (line.status, line.version)
            )
    lines += _balance_changes(viewer)
    return sorted(lines, key=lambda line: (line.done, line.on_date, line.kind, line.customer_name))


def _find(viewer: policy.Viewer, customer_id: int, occasion: str) -> CareLine:
    for line in care_list_for_user(viewer=viewer, context=None):
        if line.customer_id == customer_id and line.occasion == occasion:
            return line
    raise ObjectDoesNotExist(_("Not found."))


def care_greet(
    *,
    viewer: policy.Viewer,
    customer_id: int,
    occasion: str,
    channel: str,
    expected_version: int,
    context: RequestContext,
    language: str = "zh-hans",
) -> CareLine:
    """Greet a customer for an occasion on the viewer's list: by e-mail (the greeting in
    ``language`` to the customer's address, through Django's mail) or done by phone. The
    occasion is then done and never greeted again; audited. An occasion not on the list is
    not found; one greeted already, or a stale version, changes nothing."""
    policy.require(viewer, "care_reminder.act")
    errors: dict = {}
    if channel not in CHANNELS:
        errors["channel"] = [_("Choose one of: %s.") % ", ".join(CHANNELS)]
    if language not in LANGUAGES:
        errors["language"] = [_("Choose one of: %s.") % ", ".join(LANGUAGES)]
    if errors:
        raise ValidationError(errors)
    line = _find(viewer, customer_id, occasion)
    customer = Customer.objects.only("id", "name", "email", "owner_id", "branch_id").get(
        pk=customer_id
    )
    policy.require(viewer, "care_reminder.act", customer)
    if line.done:
        raise ValidationError({"occasion": [_("This occasion was greeted already.")]})
    if expected_version != line.version:
        raise VersionConflict(line.version)
    if channel == "email":
        access = policy.field_access(viewer, [customer])[customer.pk]["email"]
        if not customer.email or access is policy.Access.HIDDEN:
            raise ValidationError({"channel": [_("This customer has no e-mail address.")]})
    status = CHANNELS[channel]
    with transaction.atomic():
        if line.version:  # a kept reminder (a balance change)
            kept = CareReminder.objects.get(customer_id=customer_id, occasion=occasion)
            kept.status, kept.done_by_id, kept.done_at = status, viewer.user_id, timezone.now()
            save_if_version(kept, expected_version, ["status", "done_by_id", "done_at"])
        else:
            try:
                with transaction.atomic():
                    kept = CareReminder.objects.create(
                        customer_id=customer_id, kind=line.kind, occasion=occasion,
                        on_date=line.on_date, status=status, done_by_id=viewer.user_id,
                        done_at=timezone.now(), detail={"detail": line.detail},
                    )  # fmt: skip
            except IntegrityError:
                raise ValidationError(
                    {"occasion": [_("This occasion was greeted already.")]}
                ) from None
        used = ["status"]
        if channel == "email":
            manager = getattr(getattr(viewer.user, "profile", None), "display_name", "") or ""
            subject, body = greeting_render(
                line.kind, language, {**line.values, "manager": manager}
            )
            try:
                EmailMessage(subject, body, to=[customer.email]).send()
            except (OSError, smtplib.SMTPException) as exc:  # nothing kept: try again later
                message = _("The e-mail could not be sent (%(error)s); try again later.")
                raise ValidationError({"channel": [message % {"error": exc}]}) from exc
            used.append("email")
        record(
            viewer.user, AuditAction.UPDATE, "care_reminder", [kept.pk], used, context,
            purpose=channel, changes={"status": [CareStatus.OPEN, status]}, name=occasion,
            customers=[customer_id],
        )  # fmt: skip
    return replace(line, status=status, version=kept.version)


def care_balance_change(
    *, holding: Holding, old_balance: Decimal, new_balance: Decimal, on_date: date | None = None
) -> CareReminder | None:
    """Keep a reminder of a holding's balance change of at least ``large_balance_change``
    (called by the service that changes the balance, inside its transaction)."""
    change = Decimal(new_balance) - Decimal(old_balance)
    if abs(change) < Decimal(service_setting("large_balance_change")):
        return None
    on_date = on_date or today()
    reminder, _created = CareReminder.objects.get_or_create(
        customer_id=holding.customer_id,
        occasion=f"balance:{holding.pk}:{on_date.isoformat()}",
        defaults={
            "kind": CareKind.BALANCE, "on_date": on_date, "holding": holding,
            "detail": {"product": holding.product.name, "change": str(change)},
        },
    )  # fmt: skip
    return reminder
