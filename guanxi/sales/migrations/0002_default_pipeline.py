"""The default acquisition pipeline and its stages (names in English and Chinese)."""

from django.db import migrations

from guanxi.sales.defaults import ensure_default_pipeline


def create(apps, schema_editor):
    ensure_default_pipeline(apps.get_model("sales", "Pipeline"), apps.get_model("sales", "Stage"))


def remove(apps, schema_editor):
    apps.get_model("sales", "Pipeline").objects.filter(code="acquisition").delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
