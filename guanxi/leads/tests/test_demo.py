"""Demo leads (``guanxi demo-data --leads N``) are valid records."""

from guanxi.leads import scoring
from guanxi.leads.demo import load_demo_leads
from guanxi.leads.models import Lead, LeadStatusChange


def test_demo_leads_have_owners_of_their_branch_and_their_score(staff, make_customer):
    make_customer()
    assert load_demo_leads(60, seed=1, batch_size=25) == 60
    assert Lead.objects.count() == 60 == LeadStatusChange.objects.count()
    points = scoring.weights()
    for lead in Lead.objects.select_related("owner__profile"):
        if lead.owner_id:
            assert lead.owner.profile.branch_id == lead.branch_id
        assert (lead.score, lead.score_reasons) == scoring.score(lead, points)
        assert (lead.first_response_at is None) == (lead.status == "new")
        assert len(lead.name) >= 2 and lead.phone.startswith("+86")


def test_no_demo_leads_without_a_branch(db):
    assert load_demo_leads(10) == 0
