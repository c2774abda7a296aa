"""New churn warnings kept per run; the latest run's are taken from its scores and the run
before's, as the run now writes them (my day reads them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef


def latest_runs_new_warnings(apps, schema_editor):
    Run = apps.get_model("insights", "AnalysisRun")
    Score = apps.get_model("insights", "CustomerScore")
    News = apps.get_model("insights", "NewChurnWarning")
    finished = Run.objects.filter(status="finished").order_by("-finished_at", "-id")
    runs = list(finished.values_list("id", flat=True)[:2])
    if not runs:
        return
    warned = Score.objects.filter(run_id=runs[0], churn_warning=True)
    if len(runs) > 1:
        before = Score.objects.filter(
            run_id=runs[1], churn_warning=True, customer_id=OuterRef("customer_id")
        )
        warned = warned.exclude(Exists(before))
    rows = warned.values_list(
        "customer_id", "customer__branch_id", "customer__owner_id", "churn_severity"
    )
    sql, params = rows.query.sql_with_params()
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(News._meta.db_table)}"
            " (run_id, customer_id, branch_id, owner_id, severity)"
            f" SELECT %s, warned.* FROM ({sql}) warned",
            [runs[0], *params],
        )


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0014_customer_owner_tier_holds_id'),
        ('insights', '0012_score_warning_index_holds_severity'),
        ('org', '0003_portfoliohandover'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='NewChurnWarning',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('severity', models.PositiveSmallIntegerField(default=0, verbose_name='churn severity')),
                ('branch', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.branch')),
                ('customer', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer')),
                ('owner', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('run', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='insights.analysisrun')),
            ],
            options={
                'verbose_name': 'new churn warning',
                'verbose_name_plural': 'new churn warnings',
                'indexes': [models.Index(fields=['run', 'owner', '-severity'], name='newwarning_owner'), models.Index(fields=['run', 'branch', '-severity'], name='newwarning_branch')],
            },
        ),
        migrations.RunPython(latest_runs_new_warnings, migrations.RunPython.noop),
    ]
