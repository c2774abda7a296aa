"""Foreign keys kept by Django alone on PostgreSQL: a migration step that drops their
database constraints there, where checking millions of written or deleted rows at commit
cost the nightly run tens of seconds. SQLite keeps them in its tables (dropping one
rebuilds the table) and checks each row as it is written."""

from collections.abc import Callable


def drop_constraints_on_postgresql(app_label: str, keys: dict[str, tuple[str, ...]]) -> Callable:
    """A ``RunPython`` function dropping the constraints of ``keys`` (model name: foreign
    key fields) of ``app_label`` on PostgreSQL."""

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for model_name, fields in keys.items():
            model = apps.get_model(app_label, model_name)
            for name in fields:
                column = model._meta.get_field(name).column
                for found in schema_editor._constraint_names(model, [column], foreign_key=True):
                    schema_editor.execute(schema_editor._delete_fk_sql(model, found))

    return drop
