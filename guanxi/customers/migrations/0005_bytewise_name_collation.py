from django.db import migrations

import guanxi.customers.models

# (column, length) of the columns searched by prefix.
COLUMNS = [("name", 200), ("name_pinyin", 400), ("name_initials", 100)]


def _collate(collation: str):
    def run(apps, schema_editor):
        # PostgreSQL only: SQLite already compares bytes (BINARY) and has no "C". One ALTER
        # per column, in one statement: the table is not rewritten (the type stays), and
        # each index on these columns is rebuilt once.
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            'ALTER TABLE "customers_customer" '
            + ", ".join(
                f'ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE {collation}'
                for column, length in COLUMNS
            )
        )

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_contact_version'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='customer',
                    name='name',
                    field=guanxi.customers.models.BytewiseCharField(max_length=200, verbose_name='name'),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='name_initials',
                    field=guanxi.customers.models.BytewiseCharField(editable=False, max_length=100),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='name_pinyin',
                    field=guanxi.customers.models.BytewiseCharField(editable=False, max_length=400),
                ),
            ],
            database_operations=[
                migrations.RunPython(_collate('"C"'), _collate('pg_catalog."default"')),
            ],
        ),
    ]
