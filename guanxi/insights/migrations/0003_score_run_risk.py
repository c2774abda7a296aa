"""The customer list's churn warnings by value at risk: an index that serves its order.

The list sorts by value at risk largest first, customers without one last
(``DESC NULLS LAST``). SQLite puts NULLs last in a descending index anyway and refuses a
NULLS clause in an index; PostgreSQL puts them first unless told, and an index in the other
NULLs order cannot serve the sort. So the state is the plain descending index and the
database gets, on PostgreSQL, its ``NULLS LAST`` form (``CONCURRENTLY`` is not used: the
index is built once, at upgrade, like the others). Index only, no table rebuild.
"""

from django.db import migrations, models

INDEX = "score_run_risk"
TABLE = "insights_customerscore"


def create(apps, schema_editor) -> None:
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f'CREATE INDEX "{INDEX}" ON "{TABLE}" ("run_id", "churn_warning", "value_at_risk" DESC{nulls}, "customer_id" DESC)'
    )


def drop(apps, schema_editor) -> None:
    schema_editor.execute(f'DROP INDEX "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_churn_call_list"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="customerscore",
                    index=models.Index(
                        fields=["run", "churn_warning", "-value_at_risk", "-customer"], name=INDEX
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
