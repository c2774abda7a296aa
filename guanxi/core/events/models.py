"""The outbox: one row per domain event, and one receipt per (event, handler).

An event row is inserted in the transaction of the change it describes, so it exists
exactly when that change was committed. A receipt is written in the transaction of the
handler's own work, so "this handler has dealt with this event" and the work it did commit
or roll back together; its unique key is what makes a second delivery act zero times.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventRecord(models.Model):
    """One domain event: what happened to which record, who did it, when, with what payload."""

    # The id orders events: handlers receive them in id order.
    name = models.CharField(_("event"), max_length=100)
    record_type = models.CharField(_("record type"), max_length=100)
    record_id = models.BigIntegerField(_("record"))
    # Null: the system (an analysis run, a migration) acted. Unchecked by the database for
    # the same reason as the audit log's actor: a check per row costs as much as the insert.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
        db_index=False,
        db_constraint=False,
    )
    payload = models.JSONField(_("payload"), default=dict)
    occurred_at = models.DateTimeField(_("time"))
    # Set once every handler subscribed to the event has succeeded or given up on it.
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        indexes = [
            # The dispatcher's one question, "what is still to hand out, oldest first",
            # answered from an index that holds only the pending few.
            models.Index(
                fields=["id"],
                name="event_pending",
                condition=models.Q(dispatched_at__isnull=True),
            ),
            models.Index(fields=["record_type", "record_id"], name="event_record"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name} {self.record_type}:{self.record_id}"


class ReceiptStatus(models.TextChoices):
    """Where one handler stands with one event."""

    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed, to be retried")
    GAVE_UP = "gave_up", _("Gave up")


class HandlerReceipt(models.Model):
    """What one handler made of one event: done, or failed so often and why."""

    event = models.ForeignKey(
        EventRecord, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("event")
    )
    handler = models.CharField(_("handler"), max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=ReceiptStatus.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    retry_at = models.DateTimeField(_("retry at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("handler receipt")
        verbose_name_plural = _("handler receipts")
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="receipt_event_handler")
        ]
        indexes = [models.Index(fields=["status", "handler"], name="receipt_status")]

    def __str__(self) -> str:
        return f"{self.handler} on #{self.event_id}: {self.status}"
