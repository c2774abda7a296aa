"""The audit log. Entries are only ever inserted; updates and deletes are refused.

The refusal is enforced twice: here in Python (saving an existing entry, deleting, bulk
update or delete raise ``AppendOnlyError``) and in the database, by triggers that refuse
UPDATE and DELETE on both tables (``guanxi.audit.triggers``), so raw SQL cannot rewrite the
evidence either.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What the actor did."""

    READ = "read", _("Read")
    REVEAL = "reveal", _("Reveal")
    REVEAL_REFUSED = "reveal_refused", _("Reveal refused")
    SEARCH = "search", _("Identifying search")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    """Audit entries can be filtered and read, never updated or deleted in bulk."""

    def update(self, **kwargs):  # noqa: ARG002
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did what to which record's fields, when, from where and for what purpose."""

    at = models.DateTimeField(_("time"), db_index=True)
    # No index of its own: the audit_actor index (actor, at) serves lookups by actor, and
    # every index is one more write on each of the many entries that reads make.
    # Not checked by the database either: a foreign-key check per entry cost the database as
    # much as the insert on the hot read paths. The actor is always the authenticated user,
    # and PROTECT still keeps users with entries undeletable.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        verbose_name=_("user"),
        db_index=False,
        db_constraint=False,
    )
    actor_name = models.CharField(_("user name"), max_length=150)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=50)
    # Blank when the entry names several customers (a list page): they are its subjects.
    object_id = models.CharField(_("record"), max_length=64)
    fields = models.JSONField(_("fields"), default=list)
    # The three columns below are nullable so that adding them to a long log is a plain
    # ALTER TABLE ADD COLUMN: SQLite copies the whole table to add a NOT NULL column.
    # The name of a record that is not a customer (a group, a contact), as it was: it may be
    # deleted later. Customers are shown under their current name.
    object_name = models.CharField(  # noqa: DJ001
        _("record name"), max_length=200, null=True, blank=True
    )
    # How many customers the entry names as subjects (``AuditSubject``): those a list page
    # showed, those a run moved to another value tier, a contact's organisation.
    customer_count = models.PositiveIntegerField(_("customers"), null=True, blank=True)
    # {field: [old, new]} of a write, personal values as they were (the log is the evidence);
    # they are masked when shown, per the viewer's access.
    changes = models.JSONField(_("changes"), null=True, blank=True, encoder=DjangoJSONEncoder)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditSubjectQuerySet(AuditQuerySet):
    """Subjects are append-only like the entries they belong to."""


class AuditSubject(models.Model):
    """A customer an entry names besides its own record.

    One entry of a list page names the 50 customers shown here, one row each; a search for
    "entries about customer X" looks here (by the primary key, customer first) as well as at
    the entries whose record is X. A side table rather than a JSON list in the entry: an
    index finds the entries of one customer among millions on SQLite and PostgreSQL alike,
    where a JSON containment test has no index on SQLite.
    """

    pk = models.CompositePrimaryKey("customer_id", "entry_id")
    # No foreign key to customers: the log outlives what it names, and a check per row
    # would cost each list page.
    customer_id = models.PositiveBigIntegerField(_("customer"))
    entry = models.ForeignKey(
        AuditEntry,
        on_delete=models.PROTECT,
        related_name="subjects",
        db_constraint=False,
        verbose_name=_("audit entry"),
    )

    objects = AuditSubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("audited customer")
        verbose_name_plural = _("audited customers")

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.customer_id}"

    def save(self, *args, **kwargs) -> None:
        raise AppendOnlyError("audit subjects are written with their entry only")

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")
