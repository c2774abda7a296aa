"""Greeting templates: an administrator's per occasion and language, else the built-in
one in that language; placeholders ``{name}``, ``{occasion}``, ``{date}``, ``{product}``
and ``{manager}``. And the days an administrator adds for holiday greetings.
"""

from dataclasses import dataclass
from datetime import date
from string import Formatter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, deleted, record
from guanxi.concurrency import VersionConflict, save_if_version
from guanxi.service.care_models import CareHoliday, CareKind, GreetingTemplate

PLACEHOLDERS = ("name", "occasion", "date", "product", "manager")
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
# The built-in greetings, translated when used (in the greeting's language).
BUILT_IN: dict[str, tuple[str, str]] = {
    CareKind.BIRTHDAY: (
        gettext_noop("Happy birthday, {name}!"),
        gettext_noop(
            "Dear {name},\n\nHappy birthday! Thank you for your trust; we wish you good "
            "health and every success in the year ahead.\n\n{manager}"
        ),
    ),
    CareKind.HOLIDAY: (
        gettext_noop("Season's greetings for {occasion}, {name}"),
        gettext_noop(
            "Dear {name},\n\nWe wish you and your family a happy {occasion}!\n\n{manager}"
        ),
    ),
    CareKind.ANNIVERSARY: (
        gettext_noop("Thank you for another year with us, {name}"),
        gettext_noop(
            "Dear {name},\n\nOn {date} you became our customer. Thank you for your trust "
            "through the years; we look forward to serving you for many more.\n\n{manager}"
        ),
    ),
    CareKind.MATURITY: (
        gettext_noop("Your {product} matures on {date}"),
        gettext_noop(
            "Dear {name},\n\nYour {product} matures on {date}. If you would like to talk "
            "about what to do with the funds, I am glad to help.\n\n{manager}"
        ),
    ),
    CareKind.BALANCE: (
        gettext_noop("About your {product}, {name}"),
        gettext_noop(
            "Dear {name},\n\nWe noticed a large change in your {product}. If there is "
            "anything we can help with, please let me know.\n\n{manager}"
        ),
    ),
}


@dataclass(frozen=True)
class Greeting:
    """The greeting of an occasion in a language as it is sent: the administrator's
    (``version`` ≥ 1) or the built-in one (``built_in``, version 0)."""

    kind: str
    language: str
    subject: str
    body: str
    built_in: bool
    version: int

    @classmethod
    def of(cls, stored: GreetingTemplate) -> "Greeting":
        """An administrator's greeting."""
        return cls(stored.kind, stored.language, stored.subject, stored.body, False, stored.version)


def greetings_for_user(*, viewer: policy.Viewer) -> list[Greeting]:
    """Every occasion's greeting in every language, as it would be sent now."""
    policy.require(viewer, "greeting.view")
    stored = {(g.kind, g.language): g for g in GreetingTemplate.objects.all()}
    found = []
    for kind in CareKind.values:
        for language in LANGUAGES:
            mine = stored.get((kind, language))
            if mine is not None:
                found.append(Greeting.of(mine))
                continue
            with translation.override(language):
                subject, body = (_(text) for text in BUILT_IN[kind])
            found.append(Greeting(kind, language, subject, body, True, 0))
    return found


def greeting_days_for_user(*, viewer: policy.Viewer) -> list[CareHoliday]:
    """The days administrators added for holiday greetings, in date order."""
    policy.require(viewer, "greeting.view")
    return list(CareHoliday.objects.order_by("day"))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def greeting_render(kind: str, language: str, values: dict[str, str]) -> tuple[str, str]:
    """The subject and body of the greeting for ``kind`` in ``language``."""
    stored = GreetingTemplate.objects.filter(kind=kind, language=language).first()
    with translation.override(language):  # the values too: a holiday's name is lazy
        if stored is not None:
            subject, body = stored.subject, stored.body
        else:
            subject, body = (_(text) for text in BUILT_IN[kind])
        return subject.format_map(_Blank(values)), body.format_map(_Blank(values))


def _check_placeholders(name: str, text: str, errors: dict) -> None:
    try:
        used = {field for _lit, field, _spec, _conv in Formatter().parse(text) if field}
    except ValueError:
        errors[name] = [_("Close every { with a }.")]
        return
    unknown = sorted(used - set(PLACEHOLDERS))
    if unknown:
        errors[name] = [
            _("Unknown placeholders: %(unknown)s (use %(known)s).")
            % {"unknown": ", ".join(unknown), "known": ", ".join(PLACEHOLDERS)}
        ]


def greeting_template_set(
    *,
    viewer: policy.Viewer,
    kind: str,
    language: str,
    subject: str,
    body: str,
    expected_version: int,
    context: RequestContext,
) -> GreetingTemplate:
    """Set the greeting of an occasion in a language (administrators); version 0 for one
    still built in. Audited."""
    policy.require(viewer, "greeting.manage")
    errors: dict = {}
    if kind not in CareKind.values:
        errors["kind"] = [_("Choose one of: %s.") % ", ".join(CareKind.values)]
    if language not in LANGUAGES:
        errors["language"] = [_("Choose one of: %s.") % ", ".join(LANGUAGES)]
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or len(subject) > 200:
        errors["subject"] = [_("Give a subject of up to 200 characters.")]
    if not body or len(body) > 4000:
        errors["body"] = [_("Give a text of up to 4000 characters.")]
    for name, text in (("subject", subject), ("body", body)):
        if name not in errors:
            _check_placeholders(name, text, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stored = GreetingTemplate.objects.filter(kind=kind, language=language).first()
        if stored is None:
            if expected_version != 0:
                raise VersionConflict(0)
            stored = GreetingTemplate.objects.create(
                kind=kind, language=language, subject=subject, body=body
            )
        else:
            stored.subject, stored.body = subject, body
            save_if_version(stored, expected_version, ["subject", "body"])
        record(
            viewer.user, AuditAction.UPDATE, "greeting_template", [stored.pk],
            ["subject", "body"], context, name=f"{kind}/{language}",
        )  # fmt: skip
    return stored


def greeting_day_add(
    *, viewer: policy.Viewer, day: date, name: str, context: RequestContext
) -> CareHoliday:
    """Add a day for holiday greetings besides China's public holidays (administrators);
    audited."""
    policy.require(viewer, "greeting.manage")
    name = (name or "").strip()
    errors: dict = {}
    if not name or len(name) > 50:
        errors["name"] = [_("Give a name of up to 50 characters.")]
    if CareHoliday.objects.filter(day=day).exists():
        errors["day"] = [_("This day has a greeting already.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        added = CareHoliday.objects.create(day=day, name=name)
        record(
            viewer.user, AuditAction.CREATE, "greeting_day", [added.pk], ["day", "name"],
            context, changes=created({"day": day, "name": name}), name=name,
        )  # fmt: skip
    return added


def greeting_day_remove(*, viewer: policy.Viewer, day_id: int, context: RequestContext) -> None:
    """Remove a day an administrator added (administrators); audited."""
    policy.require(viewer, "greeting.manage")
    with transaction.atomic():
        found = CareHoliday.objects.select_for_update().get(pk=day_id)
        found.delete()
        record(
            viewer.user, AuditAction.DELETE, "greeting_day", [day_id], ["day", "name"], context,
            changes=deleted({"day": found.day, "name": found.name}), name=found.name,
        )  # fmt: skip
