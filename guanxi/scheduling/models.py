"""What the calendar keeps besides the activities: reminders to send, notifications shown in
the app, and each user's secret feed key.

A reminder is due at its stored, indexed ``remind_at``; the sender finds due ones by that
index alone (unsent ones only, a partial index) and marks each sent, so each goes once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.activities.models import Activity


class ReminderKind(models.TextChoices):
    STARTS = "starts", _("Starts soon")
    OVERDUE = "overdue", _("Overdue")


class Reminder(models.Model):
    """One reminder of one activity to one person, due at ``remind_at``."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    minutes_before = models.PositiveIntegerField(_("minutes before"), default=0)
    remind_at = models.DateTimeField(_("remind at"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user", "kind"], name="reminder_one_per_person"
            )
        ]
        indexes = [
            # The sender's query: unsent reminders due by now, oldest first.
            models.Index(
                fields=["remind_at"], name="reminder_due", condition=Q(sent_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.activity_id} → {self.user_id} @ {self.remind_at}"


class NotificationKind(models.TextChoices):
    INVITED = "invited", _("Invitation")
    REMINDER = "reminder", _("Reminder")


class Notification(models.Model):
    """A message to one user shown in the app (the same goes out by e-mail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    text = models.CharField(_("text"), max_length=300)
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_new")]

    def __str__(self) -> str:
        return self.text


class CalendarFeed(models.Model):
    """A user's secret feed key. The URL's token is an HMAC of the key and a per-key nonce
    under the site's secret key: the table alone does not give the URL, and the token is
    compared in constant time. Regenerating replaces key and nonce; revoking clears them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=24, unique=True, null=True, blank=True)
    nonce = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
