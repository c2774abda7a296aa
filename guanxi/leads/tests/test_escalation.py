"""Leads nobody answered in time go to the team lead, audited, and show on their my day."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.leads.escalation import leads_escalate
from guanxi.leads.models import Lead
from guanxi.leads.selectors import leads_waiting


def age(lead, hours):
    Lead.objects.filter(pk=lead.pk).update(created_at=timezone.now() - timedelta(hours=hours))


def test_an_untouched_lead_goes_to_the_owners_team_lead(make_lead, staff):
    lead = make_lead()
    age(lead, 25)
    assert leads_escalate() == 1
    lead.refresh_from_db()
    assert lead.escalated_to_id == staff["team_lead"].pk and lead.escalated_at is not None
    assert AuditEntry.objects.filter(
        object_type="lead", changes__has_key="escalated_to_id"
    ).exists()


def test_a_recent_lead_is_not_escalated(make_lead):
    make_lead()
    assert leads_escalate() == 0


def test_the_escalation_hours_are_a_setting(make_lead, settings):
    settings.GUANXI_LEADS = {"escalate_after_hours": 2}
    age(make_lead(), 3)
    assert leads_escalate() == 1


def test_a_lead_is_escalated_once(make_lead):
    age(make_lead(), 30)
    leads_escalate()
    assert leads_escalate() == 0


def test_an_unowned_lead_goes_to_the_branch_manager(make_lead, staff):
    lead = make_lead(by="marketer", source="event")
    age(lead, 30)
    call_command("escalate_leads", verbosity=0)
    lead.refresh_from_db()
    assert lead.escalated_to_id == staff["branch_manager"].pk


def test_an_escalated_lead_waits_on_the_team_leads_day(make_lead, staff):
    lead = make_lead()
    age(lead, 30)
    leads_escalate()
    waiting = leads_waiting(policy.Viewer.of(staff["team_lead"]), 20)
    assert [x.pk for x in waiting] == [lead.pk]


def test_a_team_lead_sees_the_teams_leads_waiting_and_a_manager_only_their_own(make_lead, staff):
    mine = make_lead()
    other = make_lead("别人的", by="other_manager", phone="13900002222")
    lead_view = leads_waiting(policy.Viewer.of(staff["team_lead"]), 20)
    own_view = leads_waiting(policy.Viewer.of(staff["other_manager"]), 20)
    assert [x.pk for x in lead_view] == [mine.pk]
    assert [x.pk for x in own_view] == [other.pk]
