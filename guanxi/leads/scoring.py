"""The lead score: fit, engagement and referral rules, each worth the points an
administrator gives it (``ScoreRule``; the defaults below until they do).

A score is at most 100 and is stored with its reasons (the rules that applied and their
points), so the page shows why a lead scores what it does.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.leads.models import Lead, LeadSource, LeadStatus, ScoreRule

# code → (label, default points); the order is the page's.
RULES: dict[str, tuple[Promise, int]] = {
    "phone": (_("Has a phone number"), 10),
    "email": (_("Has an e-mail address"), 5),
    "id_number": (_("Gave a resident ID number"), 10),
    "company": (_("Works for a named company"), 10),
    "industry": (_("Industry is known"), 5),
    "referral": (_("Referred by an existing customer"), 25),
    "walk_in": (_("Came to a branch in person"), 15),
    "event": (_("Met at an event or campaign"), 5),
    "contacted": (_("Answered our contact"), 10),
    "qualified": (_("Qualified by the account manager"), 20),
}


def _applies(code: str, lead: Lead) -> bool:
    engaged = lead.status not in (LeadStatus.NEW, LeadStatus.DISQUALIFIED)
    return {
        "phone": bool(lead.phone),
        "email": bool(lead.email),
        "id_number": bool(lead.id_number),
        "company": bool(lead.company),
        "industry": bool(lead.industry),
        "referral": lead.source == LeadSource.REFERRAL and lead.referrer_id is not None,
        "walk_in": lead.source == LeadSource.WALK_IN,
        "event": lead.source in (LeadSource.EVENT, LeadSource.CAMPAIGN),
        "contacted": engaged,
        "qualified": lead.status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED),
    }[code]


def weights() -> dict[str, int]:
    """Each rule's points: the administrator's, else the default (one query)."""
    stored = dict(ScoreRule.objects.values_list("code", "points"))
    return {code: stored.get(code, default) for code, (_label, default) in RULES.items()}


def score(lead: Lead, points: dict[str, int]) -> tuple[int, list[list]]:
    """The lead's score under ``points`` and its reasons, ``[[code, points], ...]``."""
    applied = [code for code in RULES if points[code] and _applies(code, lead)]
    return min(100, sum(points[c] for c in applied)), [[c, points[c]] for c in applied]


def apply_score(lead: Lead, points: dict[str, int] | None = None) -> list[str]:
    """Score ``lead`` in place; the names of the fields that changed."""
    value, reasons = score(lead, weights() if points is None else points)
    changed = [
        n for n, v in (("score", value), ("score_reasons", reasons)) if getattr(lead, n) != v
    ]
    lead.score, lead.score_reasons = value, reasons
    return changed


def reason_labels(lead: Lead) -> list[tuple[str, int]]:
    """The lead's score reasons in the active language, with their points."""
    return [(str(RULES[code][0]), pts) for code, pts in lead.score_reasons if code in RULES]
