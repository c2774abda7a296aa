"""Foreign keys kept by Django alone: a migration step that takes their constraints out of
the database, for tables a nightly run writes and deletes by the million, where checking
every row's keys cost the run tens of seconds (at commit on PostgreSQL, row by row on
SQLite). Django's cascades still follow them; the run itself leaves out rows of customers
deleted since its snapshot.

Use it after a state-only ``AlterField(..., db_constraint=False)``, so ``apps`` already
describes the tables without the constraints.
"""

from collections.abc import Callable


def constraints_drop(app_label: str, keys: dict[str, tuple[str, ...]]) -> Callable:
    """A ``RunPython`` function taking the constraints of ``keys`` (model name: foreign key
    fields) of ``app_label`` out of the database: PostgreSQL drops each one; SQLite, whose
    constraints are part of the table, rebuilds each table once."""

    def drop(apps, schema_editor) -> None:
        for model_name, fields in keys.items():
            model = apps.get_model(app_label, model_name)
            if schema_editor.connection.vendor == "sqlite":
                schema_editor._remake_table(model)
                continue
            for name in fields:
                column = model._meta.get_field(name).column
                for found in schema_editor._constraint_names(model, [column], foreign_key=True):
                    schema_editor.execute(schema_editor._delete_fk_sql(model, found))

    return drop
