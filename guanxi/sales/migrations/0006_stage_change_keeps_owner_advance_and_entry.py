"""Stage changes keep the opportunity's owner and branch when it moved, whether a later
move led further and when the stage they leave was entered (the process KPIs sum them); the
moves already made get them from their opportunity (as it is now) and their history."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def stage_changes_from_their_history(apps, schema_editor):
    StageChange = apps.get_model("sales", "StageChange")
    Opportunity = apps.get_model("sales", "Opportunity")
    theirs = Opportunity.objects.filter(pk=OuterRef("opportunity_id"))
    StageChange.objects.update(
        owner_id=Subquery(theirs.values("owner_id")[:1]),
        branch_id=Subquery(theirs.values("branch_id")[:1]),
    )
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
        ('org', '0003_portfoliohandover'),
        ('sales', '0005_source_suggestion_without_constraint'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='stagechange',
            name='advanced',
            field=models.BooleanField(default=False, verbose_name='advanced later'),
        ),
        migrations.AddField(
            model_name='stagechange',
            name='branch',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.branch', verbose_name='branch'),
        ),
        migrations.AddField(
            model_name='stagechange',
            name='from_entered_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='entered the stage left'),
        ),
        migrations.AddField(
            model_name='stagechange',
            name='owner',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='account manager'),
        ),
        migrations.AddIndex(
            model_name='stagechange',
            index=models.Index(fields=['branch', 'changed_at'], name='stage_change_branch'),
        ),
        migrations.AddIndex(
            model_name='stagechange',
            index=models.Index(fields=['owner', 'changed_at'], name='stage_change_owner'),
        ),
        migrations.RunPython(stage_changes_from_their_history, migrations.RunPython.noop),
    ]
