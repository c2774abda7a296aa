"""Inviting customers to surveys and recording their answers.

A survey link's token moves once: open → answered (the customer submitted), or open →
expired (its time passed) — the table below. Opening the link reads; only submitting the
form records, so a mail scanner that opens links records nothing. A token used or
expired is refused with a clear message, and nothing changes; an answer out of range is
refused naming the field.
"""

import secrets
from datetime import timedelta
from functools import partial
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record
from guanxi.core.events import publish
from guanxi.customers.models import Customer
from guanxi.org.models import Profile, hash_token
from guanxi.service import events
from guanxi.service.case_models import Case
from guanxi.service.case_selectors import cases_in_scope
from guanxi.service.config import service_setting
from guanxi.service.survey_models import (
    SurveyElementRating,
    SurveyInvitation,
    SurveyKind,
    SurveyLanguage,
    SurveyResponse,
    SurveyTemplate,
)

OPEN, ANSWERED, EXPIRED = "open", "answered", "expired"
# The token's workflow: the only moves there are.
TOKEN_MOVES: dict[str, frozenset[str]] = {OPEN: frozenset({ANSWERED, EXPIRED})}
CSAT_RANGE, NPS_RANGE, ELEMENT_RANGE = (1, 5), (0, 10), (1, 5)
MAX_COMMENT = 2000


def is_detractor(*, csat: int | None, nps: int | None) -> bool:
    """NPS 0–6 or CSAT 1–2: a customer we are losing, whom someone must call."""
    return (nps is not None and nps <= 6) or (csat is not None and csat <= 2)


class SurveyClosed(ValidationError):
    """The link was used or has expired (``state``); nothing was recorded."""

    def __init__(self, state: str) -> None:
        self.state = state
        message = (
            _("This survey has been answered already. Thank you!")
            if state == ANSWERED
            else _("This survey link has expired.")
        )
        super().__init__({"token": [message]})


def token_state(invitation: SurveyInvitation) -> str:
    """Where the invitation's token is: open, answered or expired."""
    if invitation.answered_at is not None:
        return ANSWERED
    return EXPIRED if invitation.expires_at <= timezone.now() else OPEN


def survey_link(raw_token: str) -> str:
    """The public link's path for a raw token."""
    return reverse("service:survey", kwargs={"token": raw_token})


def _mail_link(
    address: str, raw_token: str, template: SurveyTemplate, language: str = SurveyLanguage.ZH
) -> None:
    """Mail a survey's link to a customer, in the invitation's language."""
    link = service_setting("survey_base_url").rstrip("/") + survey_link(raw_token)
    with translation.override(language):
        subject = _("How did we do? %(survey)s") % {"survey": template.label}
        body = _("Please tell us how we served you: %(link)s") % {"link": link}
    send_mail(subject=subject[:200], message=body, from_email=None, recipient_list=[address])


def invitation_for_token(raw_token: str) -> SurveyInvitation | None:
    """The invitation a raw token opens (with its template), or None."""
    if not raw_token or len(raw_token) > 200:
        return None
    found = SurveyInvitation.objects.select_related("template")
    return found.filter(token_hash=hash_token(raw_token)).first()


def invitation_write(
    *, template: SurveyTemplate, customer_id: int, case_id: int | None, language: str,
    actor, context: RequestContext,
) -> tuple[SurveyInvitation, str]:  # fmt: skip
    """Write one invitation with its audit entry and event (in the caller's transaction)."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = SurveyInvitation.objects.create(
        template=template, customer_id=customer_id, case_id=case_id, language=language,
        token_hash=hash_token(raw), sent_at=now, created_by=actor,
        expires_at=now + timedelta(days=template.valid_days),
    )  # fmt: skip
    values = {"template_id": template.pk, "customer_id": customer_id, "case_id": case_id}
    record(
        actor, AuditAction.CREATE, "survey_invitation", [invitation.pk], sorted(values), context,
        changes=created(values), name=template.name, customers=[customer_id],
    )  # fmt: skip
    event = events.SurveyInvited(template_id=template.pk, customer_id=customer_id, case_id=case_id)
    publish(event, actor=actor, record=invitation)
    return invitation, raw


def _addresses(viewer: policy.Viewer, customer_ids: list[int]) -> dict[int, str]:
    """The e-mail addresses of these customers that the viewer may use (see in full or
    masked: a hidden address is not theirs to write to)."""
    found = list(Customer.objects.filter(pk__in=customer_ids).exclude(email="").only("email"))
    access = policy.field_access(viewer, found)
    return {c.pk: c.email for c in found if access[c.pk]["email"] is not policy.Access.HIDDEN}


def survey_mail_on_commit(
    address: str, raw_token: str, template: SurveyTemplate, language: str = SurveyLanguage.ZH
) -> None:
    """Mail the survey's link to the customer once the invitation is kept (not at all if
    it is rolled back); a mail server that fails loses the mail, not the invitation."""
    transaction.on_commit(partial(_mail_link, address, raw_token, template, language), robust=True)


def survey_invite(
    *,
    viewer: policy.Viewer,
    template_id: int,
    customer_id: int,
    context: RequestContext,
    case_id: int | None = None,
    language: str = SurveyLanguage.ZH,
    mail: bool = False,
) -> tuple[SurveyInvitation, str]:
    """Invite a customer the viewer sees to answer a survey (about a case of theirs the
    viewer sees), and with ``mail`` e-mail them the link once it is kept; returns the
    invitation and its raw token, which is not kept."""
    policy.require(viewer, "survey.invite")
    errors: dict = {}
    template = SurveyTemplate.objects.filter(pk=template_id, active=True).first()
    if template is None:
        errors["template_id"] = [_("There is no active survey with this ID.")]
    visible = policy.customer_scope(viewer, Customer.objects.all())
    if not visible.filter(pk=customer_id).exists():
        errors["customer_id"] = [_("There is no customer with this ID.")]
    if case_id is not None:
        case = cases_in_scope(viewer).filter(pk=case_id).only("customer_id").first()
        if case is None or case.customer_id != customer_id:
            errors["case_id"] = [_("There is no case of this customer with this ID.")]
        elif (
            template
            and SurveyInvitation.objects.filter(case_id=case_id, template=template).exists()
        ):
            errors["case_id"] = [_("This customer was invited to this survey about this case.")]
    if language not in SurveyLanguage.values:
        errors["language"] = [_("Choose one of: %s.") % ", ".join(SurveyLanguage.values)]
    address = _addresses(viewer, [customer_id]).get(customer_id) if mail else None
    if mail and address is None and "customer_id" not in errors:
        errors["mail"] = [_("This customer has no e-mail address.")]
    if errors:
        raise ValidationError(errors)
    assert template is not None
    with transaction.atomic():
        invitation, raw = invitation_write(
            template=template, customer_id=customer_id, case_id=case_id, language=language,
            actor=viewer.user, context=context,
        )  # fmt: skip
        if address is not None:
            survey_mail_on_commit(address, raw, template, language)
    return invitation, raw


MAX_BATCH = 500


class Invited(NamedTuple):
    """A new invitation, its raw token (shown once, never kept), and whether its link
    was mailed."""

    invitation: SurveyInvitation
    token: str
    mailed: bool


def survey_invite_periodic(
    *,
    viewer: policy.Viewer,
    template_id: int,
    customer_ids: list[int],
    context: RequestContext,
    language: str = SurveyLanguage.ZH,
    mail: bool = False,
) -> list[Invited]:
    """Invite several customers the viewer sees to a periodic survey, in one transaction;
    a customer whose invitation to it is still open is skipped (not asked twice at once).
    With ``mail``, each who has an address the viewer may use is e-mailed the link once
    the invitations are kept. Returns the new invitations."""
    policy.require(viewer, "survey.invite")
    errors: dict = {}
    template = SurveyTemplate.objects.filter(
        pk=template_id, active=True, kind=SurveyKind.PERIODIC
    ).first()
    if template is None:
        errors["template_id"] = [_("There is no active periodic survey with this ID.")]
    wanted = list(dict.fromkeys(customer_ids))
    if not 1 <= len(wanted) <= MAX_BATCH:
        errors["customer_ids"] = [_("Give 1 to %s customers.") % MAX_BATCH]
    visible = set(
        policy.customer_scope(viewer, Customer.objects.filter(pk__in=wanted)).values_list(
            "pk", flat=True
        )
    )
    missing = [pk for pk in wanted if pk not in visible]
    if missing and "customer_ids" not in errors:
        errors["customer_ids"] = [
            _("There is no customer with these IDs: %s.") % ", ".join(map(str, missing))
        ]
    if language not in SurveyLanguage.values:
        errors["language"] = [_("Choose one of: %s.") % ", ".join(SurveyLanguage.values)]
    if errors:
        raise ValidationError(errors)
    assert template is not None
    waiting = set(
        SurveyInvitation.objects.filter(
            template=template, customer_id__in=wanted, answered_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("customer_id", flat=True)
    )  # fmt: skip
    addresses = _addresses(viewer, wanted) if mail else {}
    invited = []
    with transaction.atomic():
        for pk in wanted:
            if pk in waiting:
                continue
            invitation, raw = invitation_write(
                template=template, customer_id=pk, case_id=None, language=language,
                actor=viewer.user, context=context,
            )  # fmt: skip
            if pk in addresses:
                survey_mail_on_commit(addresses[pk], raw, template, language)
            invited.append(Invited(invitation, raw, pk in addresses))
    return invited


def survey_invite_after_case(
    *, case_id: int, context: RequestContext
) -> tuple[SurveyInvitation, str] | None:
    """The system inviting a resolved case's customer to the active after-case survey,
    once per case and survey; None when there is no such survey or they were invited."""
    template = (
        SurveyTemplate.objects.filter(kind=SurveyKind.AFTER_CASE, active=True)
        .order_by("-pk")
        .first()
    )
    case = Case.objects.filter(pk=case_id).only("customer_id").first()
    if template is None or case is None:
        return None
    if SurveyInvitation.objects.filter(case_id=case_id, template=template).exists():
        return None
    with transaction.atomic():
        return invitation_write(
            template=template, customer_id=case.customer_id, case_id=case_id,
            language=SurveyLanguage.ZH, actor=None, context=context,
        )  # fmt: skip


def _score(name: str, value: object, bounds: tuple[int, int], errors: dict) -> int | None:
    low, high = bounds
    if value is None or value == "":
        errors[name] = [_("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high}]
        return None
    valid = isinstance(value, int) and not isinstance(value, bool)
    if not valid or not low <= value <= high:  # type: ignore[operator]
        errors[name] = [
            _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        ]
        return None
    return value  # type: ignore[return-value]


def _clean_answers(
    template: SurveyTemplate, csat: object, nps: object, comment: str, elements: dict
) -> tuple[int | None, int | None, str, dict[str, tuple[int, int]]]:
    errors: dict = {}
    not_asked = [_("This question is not asked.")]
    csat_value = nps_value = None
    if template.csat_question:
        csat_value = _score("csat", csat, CSAT_RANGE, errors)
    elif csat is not None:
        errors["csat"] = not_asked
    if template.nps_question:
        nps_value = _score("nps", nps, NPS_RANGE, errors)
    elif nps is not None:
        errors["nps"] = not_asked
    comment = (comment or "").strip()
    if comment and not template.comment_question:
        errors["comment"] = not_asked
    elif len(comment) > MAX_COMMENT:
        errors["comment"] = [_("At most %s characters.") % MAX_COMMENT]
    asked = [e["code"] for e in template.elements]
    ratings: dict[str, tuple[int, int]] = {}
    for code in elements or {}:
        if code not in asked:
            errors[f"elements.{code}"] = not_asked
    for code in asked:
        given = (elements or {}).get(code) or {}
        importance = _score(
            f"elements.{code}.importance", given.get("importance"), ELEMENT_RANGE, errors
        )
        performance = _score(
            f"elements.{code}.performance", given.get("performance"), ELEMENT_RANGE, errors
        )
        if importance is not None and performance is not None:
            ratings[code] = (importance, performance)
    if errors:
        raise ValidationError(errors)
    return csat_value, nps_value, comment, ratings


def _about(invitation: SurveyInvitation) -> dict:
    """Branch, agent, team and product the answer is counted for: the case's when there
    is one, else the customer's (their branch and account manager)."""
    case, customer = invitation.case, invitation.customer
    agent_id = (case.owner_id if case else None) or customer.owner_id
    team_id = (
        Profile.objects.filter(user_id=agent_id).values_list("team_id", flat=True).first()
        if agent_id
        else None
    )
    return {
        "branch_id": (case.branch_id if case else None) or customer.branch_id,
        "agent_id": agent_id,
        "team_id": team_id,
        "product_id": case.product_id if case else None,
    }


def survey_response_record(
    *,
    token: str,
    context: RequestContext,
    csat: int | None = None,
    nps: int | None = None,
    comment: str = "",
    elements: dict | None = None,
) -> SurveyResponse:
    """Record the customer's answer to the survey their link opens, once.

    An unknown token is ``SurveyInvitation.DoesNotExist``; a used or expired one
    ``SurveyClosed``; an answer out of range a ``ValidationError`` naming the field — and
    each changes nothing."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise SurveyInvitation.DoesNotExist
    state = token_state(invitation)
    if ANSWERED not in TOKEN_MOVES.get(state, frozenset()):  # only an open token answers
        raise SurveyClosed(state)
    template = invitation.template
    csat_value, nps_value, comment, ratings = _clean_answers(
        template, csat, nps, comment, elements or {}
    )
    invitation = SurveyInvitation.objects.select_related("case", "customer").get(pk=invitation.pk)
    now = timezone.now()
    with transaction.atomic():
        # The move open → answered, once: of two submissions only one updates the row.
        moved = SurveyInvitation.objects.filter(
            pk=invitation.pk, answered_at__isnull=True, expires_at__gt=now
        ).update(answered_at=now)
        if not moved:
            invitation.refresh_from_db(fields=["answered_at"])
            raise SurveyClosed(token_state(invitation))
        response = SurveyResponse.objects.create(
            invitation=invitation, template=template, customer_id=invitation.customer_id,
            case_id=invitation.case_id, answered_at=now, csat=csat_value, nps=nps_value,
            comment=comment, **_about(invitation),
        )  # fmt: skip
        SurveyElementRating.objects.bulk_create(
            SurveyElementRating(response=response, element=code, importance=i, performance=p)
            for code, (i, p) in ratings.items()
        )
        values = {"csat": csat_value, "nps": nps_value, "elements": len(ratings)}
        record(
            None, AuditAction.CREATE, "survey_response", [response.pk], sorted(values), context,
            changes=created(values), name=template.name, customers=[invitation.customer_id],
        )  # fmt: skip
        event = events.SurveyAnswered(
            customer_id=invitation.customer_id, case_id=invitation.case_id, csat=csat_value,
            nps=nps_value, detractor=is_detractor(csat=csat_value, nps=nps_value),
        )  # fmt: skip
        publish(event, actor=None, record=response)
    return response
