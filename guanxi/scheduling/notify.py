"""Telling people: a notification in the app and an e-mail (Django's mail), in the
recipient's language, showing an activity's subject and customer only to a recipient who
may read that activity (others read who has the meeting, and when)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi import policy
from guanxi.activities.models import Activity
from guanxi.activities.selectors import person_name
from guanxi.policy.activities import activity_allows
from guanxi.scheduling.models import Notification, NotificationKind

INVITED = gettext_lazy("You are invited")


def may_read(user, activity: Activity) -> bool:
    """Whether ``user`` may read the activity's subject and customer (or lead)."""
    return activity_allows(policy.Viewer.of(user), "activity.view", activity)


def describe(user, activity: Activity) -> str:
    """One line about the activity as ``user`` may see it (in the active language)."""
    when = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
    kind = activity.get_kind_display()
    if may_read(user, activity):
        return _("%(kind)s “%(subject)s” with %(customer)s, %(when)s") % {
            "kind": kind, "subject": activity.subject, "when": when,
            "customer": activity.about_name(),
        }  # fmt: skip
    return _("%(kind)s of %(owner)s, %(when)s") % {
        "kind": kind, "owner": person_name(activity.owner), "when": when,
    }  # fmt: skip


def _language(user) -> str:
    profile = getattr(user, "profile", None)
    return (profile and profile.language) or settings.LANGUAGE_CODE


def notify(*, user, activity: Activity, kind: str, headline: Promise, mail: bool = True) -> str:
    """Notify ``user`` in the app and return the text, in the recipient's language; with
    ``mail``, also by e-mail after commit when they have an address."""
    with translation.override(_language(user)):
        text = f"{headline}: {describe(user, activity)}"[:300]
    Notification.objects.create(user=user, kind=kind, text=text, activity=activity)
    if mail and user.email:
        transaction.on_commit(lambda: send_notice(user.email, text), robust=True)
    return text


def send_notice(address: str, text: str) -> None:
    """Send one notification by e-mail (errors are the caller's)."""
    send_mail(
        subject=f"[Guanxi] {text}"[:200],
        message=text,
        from_email=None,
        recipient_list=[address],
    )


def notify_invited(*, activity: Activity, inviter_id: int | None) -> None:
    """Tell the participants (not the one who invited them) that they are invited; each
    once (idempotent: one already told is not told again)."""
    told = Notification.objects.filter(
        activity=activity, kind=NotificationKind.INVITED
    ).values_list("user_id", flat=True)
    invited = activity.participants.select_related("profile").filter(is_active=True)
    for user in invited.exclude(pk__in=told):
        if user.pk != inviter_id:
            notify(
                user=user, activity=activity, kind=NotificationKind.INVITED,
                headline=INVITED,
            )  # fmt: skip


def notifications_for_user(*, viewer: policy.Viewer, limit: int = 20) -> list[Notification]:
    """The viewer's newest notifications."""
    if viewer.user_id is None:
        return []
    return list(Notification.objects.filter(user_id=viewer.user_id).order_by("-created_at")[:limit])


def notification_mark_read(*, viewer: policy.Viewer, notification_id: int) -> Notification:
    """Mark one of the viewer's notifications read (another's reads as missing)."""
    if viewer.user_id is None:
        raise Notification.DoesNotExist
    note = Notification.objects.get(pk=notification_id, user_id=viewer.user_id)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return note
