"""Reads of surveys, invitations and answers, always through the policy, and the
satisfaction reports: CSAT, NPS and answer counts per month by branch, team, agent or
product, and the importance × performance of each service element.

NPS is the share of promoters (9–10) minus the share of detractors (0–6) among the
answers that gave an NPS score, in points (−100 to 100).
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.service.case_models import in_language
from guanxi.service.survey_models import (
    SurveyElementRating,
    SurveyInvitation,
    SurveyResponse,
    SurveyTemplate,
)

MAX_PAGE_SIZE = 100
GROUPS = {
    "branch": ("branch_id", "branch__name"),
    "team": ("team_id", "team__name"),
    "agent": ("agent_id", "agent__profile__display_name"),
    "product": ("product_id", "product__name"),
}
RESPONSE_FILTERS = ("customer_id", "case_id", "template_id", "branch_id", "agent_id")
PROMOTER, DETRACTOR = Q(nps__gte=9), Q(nps__lte=6)


def survey_template_list_for_user(*, viewer: policy.Viewer) -> QuerySet[SurveyTemplate]:
    policy.require(viewer, "survey.view")
    return SurveyTemplate.objects.order_by("name")


def survey_template_get_for_user(*, viewer: policy.Viewer, template_id: int) -> SurveyTemplate:
    policy.require(viewer, "survey.view")
    return SurveyTemplate.objects.get(pk=template_id)


def responses_in_scope(viewer: policy.Viewer) -> QuerySet[SurveyResponse]:
    """The answers the viewer may read: of the customers or cases they see."""
    if not policy.allows(viewer, "survey_response.view"):
        return SurveyResponse.objects.none()
    return policy.scoped(viewer, SurveyResponse.objects.all(), "survey_response.view")


def invitations_in_scope(viewer: policy.Viewer) -> QuerySet[SurveyInvitation]:
    """The invitations the viewer may read (as their answers)."""
    if not policy.allows(viewer, "survey_response.view"):
        return SurveyInvitation.objects.none()
    return policy.scoped(viewer, SurveyInvitation.objects.all(), "survey_response.view")


@dataclass(frozen=True)
class Page:
    rows: list
    count: int
    page: int
    page_size: int

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.count


def _page(found: QuerySet, page: int, page_size: int) -> Page:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [_("Give 1 to %s.") % MAX_PAGE_SIZE]})
    start = (page - 1) * page_size
    return Page(list(found[start : start + page_size]), found.count(), page, page_size)


def survey_response_list_for_user(
    *, viewer: policy.Viewer, filters: dict, page: int, page_size: int
) -> Page:
    """A page of the answers in the viewer's scope, newest first, with their ratings."""
    policy.require(viewer, "survey_response.view")
    found = responses_in_scope(viewer).filter(
        **{k: v for k, v in filters.items() if k in RESPONSE_FILTERS and v is not None}
    )
    ordered = found.select_related("customer", "template").prefetch_related("element_ratings")
    return _page(ordered.order_by("-answered_at", "-pk"), page, page_size)


def survey_response_get_for_user(*, viewer: policy.Viewer, response_id: int) -> SurveyResponse:
    """One answer the viewer may read; out of scope reads as missing (404)."""
    policy.require(viewer, "survey_response.view")
    found = responses_in_scope(viewer).select_related("customer", "template")
    return found.prefetch_related("element_ratings").get(pk=response_id)


def survey_invitation_list_for_user(
    *, viewer: policy.Viewer, filters: dict, page: int, page_size: int
) -> Page:
    """A page of the invitations in the viewer's scope, newest first."""
    policy.require(viewer, "survey_response.view")
    found = invitations_in_scope(viewer).filter(
        **{k: v for k, v in filters.items() if k in ("customer_id", "case_id", "template_id")
           and v is not None}
    )  # fmt: skip
    return _page(found.select_related("template").order_by("-sent_at", "-pk"), page, page_size)


def _period(start: date | None, end: date | None) -> Q:
    if start and end and start > end:
        raise ValidationError({"start": [_("The start is after the end.")]})
    zone = timezone.get_current_timezone()
    condition = Q()
    if start:
        condition &= Q(answered_at__gte=datetime.combine(start, time.min, zone))
    if end:
        condition &= Q(answered_at__lt=datetime.combine(end, time.max, zone))
    return condition


def nps_of(promoters: int, detractors: int, scored: int) -> float | None:
    """NPS in points: % promoters − % detractors (None without a score)."""
    if not scored:
        return None
    return round(100 * (promoters - detractors) / scored, 1)


@dataclass(frozen=True)
class ScoreRow:
    month: date | None
    group_id: int | None
    group_name: str
    responses: int
    csat: float | None
    nps: float | None
    promoters: int
    detractors: int


def satisfaction_scores(
    *, viewer: policy.Viewer, group_by: str, start: date | None = None, end: date | None = None
) -> list[ScoreRow]:
    """CSAT average, NPS and answer count per month and group (branch, team, agent or
    product; ``all`` for one line), over the answers in the viewer's scope. One query."""
    policy.require(viewer, "survey_response.view")
    if group_by != "all" and group_by not in GROUPS:
        raise ValidationError({"group_by": [_("Choose one of: %s.") % ", ".join(["all", *GROUPS])]})
    names = GROUPS.get(group_by, ())
    found = responses_in_scope(viewer).filter(_period(start, end))
    rows = (
        found.annotate(month=TruncMonth("answered_at"))
        .values("month", *names)
        .annotate(
            responses=Count("pk"),
            csat=Avg("csat"),
            scored=Count("nps"),
            promoters=Count("pk", filter=PROMOTER),
            detractors=Count("pk", filter=DETRACTOR),
        )
        .order_by("month", *names)
    )
    result = []
    for row in rows:
        month = row["month"]
        result.append(
            ScoreRow(
                month=month.date() if isinstance(month, datetime) else month,
                group_id=row[names[0]] if names else None,
                group_name=(row[names[1]] or "") if names else "",
                responses=row["responses"],
                csat=round(float(row["csat"]), 2) if row["csat"] is not None else None,
                nps=nps_of(row["promoters"], row["detractors"], row["scored"]),
                promoters=row["promoters"],
                detractors=row["detractors"],
            )
        )
    return result


@dataclass(frozen=True)
class ElementRow:
    element: str
    label: str
    importance: float
    performance: float
    ratings: int

    @property
    def gap(self) -> float:
        """How far performance falls short of importance (positive: improve here first)."""
        return round(self.importance - self.performance, 2)


def element_labels() -> dict[str, str]:
    """Each service element's name in the active language, by code (the newest survey's
    name wins). One query."""
    labels: dict[str, str] = {}
    for elements in SurveyTemplate.objects.order_by("pk").values_list("elements", flat=True):
        for e in elements or []:
            labels[e["code"]] = in_language(e.get("name_en") or e["name"], e["name"])
    return labels


def element_scores(
    *, viewer: policy.Viewer, start: date | None = None, end: date | None = None
) -> list[ElementRow]:
    """Average importance and performance of each service element over the answers in the
    viewer's scope, the largest shortfall first. One query."""
    policy.require(viewer, "survey_response.view")
    answers = responses_in_scope(viewer).filter(_period(start, end))
    rows = (
        SurveyElementRating.objects.filter(response__in=answers.values("pk"))
        .values("element")
        .annotate(importance=Avg("importance"), performance=Avg("performance"), ratings=Count("pk"))
        .order_by("element")
    )
    labels = element_labels()
    found = [
        ElementRow(
            element=r["element"],
            label=labels.get(r["element"], r["element"]),
            importance=round(float(r["importance"]), 2),
            performance=round(float(r["performance"]), 2),
            ratings=r["ratings"],
        )  # fmt: skip
        for r in rows
    ]
    return sorted(found, key=lambda r: (-r.gap, r.element))
