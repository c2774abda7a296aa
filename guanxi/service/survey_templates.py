"""Survey templates: administrators configure the questions of a survey in both languages.

Every function asks the permission policy and writes its change with its audit entry in
one transaction; a refused change is a ``ValidationError`` naming the field.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record, updated
from guanxi.concurrency import save_if_version
from guanxi.service.survey_models import SurveyKind, SurveyTemplate
from guanxi.storable import check_storable

QUESTIONS = ("csat_question", "nps_question", "comment_question")
TEXTS = ("name", "name_en", *QUESTIONS, *(f"{q}_en" for q in QUESTIONS))
EDITABLE = (*TEXTS, "kind", "active", "elements", "valid_days", "every_days", "daily_limit")
SCHEDULE_DAYS, DAILY_LIMIT = (7, 730), (1, 10_000)
CODE = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_ELEMENTS = 20


def _clean_elements(value: object, errors: dict) -> list[dict]:
    """The service elements as stored: ``code``, ``name`` and ``name_en`` of each."""
    if not isinstance(value, list) or len(value) > MAX_ELEMENTS:
        errors["elements"] = [_("Give a list of at most %s service elements.") % MAX_ELEMENTS]
        return []
    cleaned, codes = [], set()
    for item in value:
        if not isinstance(item, dict):
            errors["elements"] = [_("Each service element needs a code and a name.")]
            return []
        code = str(item.get("code") or "").strip()
        name = str(item.get("name") or "").strip()
        name_en = str(item.get("name_en") or "").strip()
        if not CODE.match(code) or not name or len(name) > 100 or len(name_en) > 100:
            errors["elements"] = [
                _("Each service element needs a code (a–z, 0–9, _) and a name of at most "
                  "100 characters.")
            ]  # fmt: skip
            return []
        if code in codes:
            errors["elements"] = [_("Service element %s is given twice.") % code]
            return []
        codes.add(code)
        cleaned.append({"code": code, "name": name, "name_en": name_en})
    return cleaned


def _clean(data: dict, errors: dict) -> None:
    for name in TEXTS:
        if name in data:
            data[name] = (data[name] or "").strip()
    if "name" in data and not data["name"]:
        errors["name"] = [_("A survey needs a name.")]
    if "kind" in data and data["kind"] not in SurveyKind.values:
        errors["kind"] = [_("Choose one of: %s.") % ", ".join(SurveyKind.values)]
    if "elements" in data:
        data["elements"] = _clean_elements(data["elements"], errors)
    if "valid_days" in data:
        days = data["valid_days"]
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
            errors["valid_days"] = [_("Give 1 to 365 days.")]
    if data.get("every_days") is not None and not _within(data["every_days"], SCHEDULE_DAYS):
        low, high = SCHEDULE_DAYS
        errors["every_days"] = [
            _("Give %(low)s to %(high)s days, or nothing.") % {"low": low, "high": high}
        ]
    if "daily_limit" in data and not _within(data["daily_limit"], DAILY_LIMIT):
        low, high = DAILY_LIMIT
        errors["daily_limit"] = [
            _("Give %(low)s to %(high)s invitations.") % {"low": low, "high": high}
        ]


def _within(value: object, bounds: tuple[int, int]) -> bool:
    low, high = bounds
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _scheduled_only_if_periodic(template: SurveyTemplate, errors: dict) -> None:
    # An after-case survey is sent when a case is resolved: a schedule would mean nothing.
    if template.every_days is not None and template.kind != SurveyKind.PERIODIC:
        errors["every_days"] = [_("Only a periodic survey is sent on a schedule.")]


def _asks_something(template: SurveyTemplate, errors: dict) -> None:
    if not any(getattr(template, q) for q in QUESTIONS) and not template.elements:
        errors["csat_question"] = [_("A survey asks at least one question.")]


def _name_taken(name: object, pk: int | None) -> bool:
    found = SurveyTemplate.objects.filter(name=name)
    return (found.exclude(pk=pk) if pk is not None else found).exists()


def _audit(viewer: policy.Viewer, action: AuditAction, template, changes, context) -> None:
    record(
        viewer.user, action, "survey", [template.pk], sorted(changes), context,
        changes=changes, name=template.name,
    )  # fmt: skip


def survey_template_create(
    *, viewer: policy.Viewer, name: str, kind: str, context: RequestContext, **fields: object
) -> SurveyTemplate:
    """Add a survey (administrators); ``fields`` are the others of ``EDITABLE``."""
    policy.require(viewer, "survey.manage")
    errors: dict = {n: [_("This field cannot be set here.")] for n in fields if n not in EDITABLE}
    data = {"name": name, "kind": kind, **{k: v for k, v in fields.items() if k in EDITABLE}}
    _clean(data, errors)
    if "name" not in errors and _name_taken(data["name"], None):
        errors["name"] = [_("Another survey has this name.")]
    template = SurveyTemplate(**data)
    _asks_something(template, errors)
    _scheduled_only_if_periodic(template, errors)
    if errors:
        raise ValidationError(errors)
    check_storable(template, [n for n in data if n != "elements"])
    with transaction.atomic():
        template.save()
        _audit(viewer, AuditAction.CREATE, template, created(data), context)
    return template


def survey_template_update(
    *,
    viewer: policy.Viewer,
    template_id: int,
    changes: dict,
    expected_version: int,
    context: RequestContext,
) -> SurveyTemplate:
    """Change the given fields of a survey, refusing a stale version (409)."""
    policy.require(viewer, "survey.manage")
    template = SurveyTemplate.objects.get(pk=template_id)
    errors: dict = {n: [_("This field cannot be changed here.")] for n in changes
                    if n not in EDITABLE}  # fmt: skip
    data = {k: v for k, v in changes.items() if k in EDITABLE}
    _clean(data, errors)
    if data.get("name") and _name_taken(data["name"], template.pk):
        errors["name"] = [_("Another survey has this name.")]
    diff = updated(template, data)
    changed = list(diff)
    _asks_something(template, errors)
    _scheduled_only_if_periodic(template, errors)
    if errors:
        raise ValidationError(errors)
    check_storable(template, [n for n in changed if n != "elements"])
    with transaction.atomic():
        save_if_version(template, expected_version, changed)
        if changed:
            _audit(viewer, AuditAction.UPDATE, template, diff, context)
    return template
