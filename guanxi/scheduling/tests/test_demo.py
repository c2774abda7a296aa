"""The demo calendar: teammates invited to open meetings, reminders of open items."""

from guanxi.activities.demo import generate_activities
from guanxi.activities.models import Activity
from guanxi.scheduling.demo import generate_calendar
from guanxi.scheduling.models import Reminder


def test_the_demo_calendar_invites_teammates_and_writes_reminders(make_customer, staff):
    make_customer("王客户")
    generate_activities(400, seed=3)
    made = generate_calendar(seed=3)
    assert made == Reminder.objects.count() > 0
    joined = Activity.participants.through.objects.values_list("user_id", flat=True)
    assert set(joined) <= {staff["team_lead"].pk}
    assert not Reminder.objects.exclude(activity__status="open").exists()
