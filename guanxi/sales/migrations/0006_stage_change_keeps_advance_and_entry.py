"""Stage changes keep whether a later move led further and when the stage they leave was
entered (the process KPIs sum them); the moves already made get both from their history."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def stage_changes_from_their_history(apps, schema_editor):
    StageChange = apps.get_model("sales", "StageChange")
    entered = (
        StageChange.objects.filter(
            opportunity_id=OuterRef("opportunity_id"),
            to_stage_id=OuterRef("from_stage_id"),
            changed_at__lte=OuterRef("changed_at"),
        )
        .order_by("-changed_at", "-id")
        .values("changed_at")[:1]
    )
    StageChange.objects.filter(from_stage__isnull=False).update(from_entered_at=Subquery(entered))
    further = StageChange.objects.filter(
        opportunity_id=OuterRef("opportunity_id"),
        changed_at__gt=OuterRef("changed_at"),
        to_stage__order__gt=OuterRef("to_stage__order"),
        to_stage__is_lost=False,
    )
    StageChange.objects.filter(Exists(further)).update(advanced=True)


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0005_source_suggestion_without_constraint'),
    ]

    operations = [
        migrations.AddField(
            model_name='stagechange',
            name='advanced',
            field=models.BooleanField(default=False, verbose_name='advanced later'),
        ),
        migrations.AddField(
            model_name='stagechange',
            name='from_entered_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='entered the stage left'),
        ),
        migrations.RunPython(stage_changes_from_their_history, migrations.RunPython.noop),
    ]
