"""Every install starts with the "Asset-based design" rubric, published, as the shared default."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "asset_based_design.json"


def load_default(apps, schema_editor):
    from rubrics import serialization

    Rubric = apps.get_model("rubrics", "Rubric")
    if Rubric.objects.filter(district__isnull=True, is_default=True).exists():
        return
    data = json.loads(DATA.read_text(encoding="utf-8"))
    errors = serialization.validate(data)
    if errors:
        raise ValueError("The default rubric file is invalid: " + "; ".join(errors))
    serialization.build(
        data, is_default=True,
        Rubric=Rubric, RubricVersion=apps.get_model("rubrics", "RubricVersion"),
        Criterion=apps.get_model("rubrics", "Criterion"), Question=apps.get_model("rubrics", "Question"),
        Level=apps.get_model("rubrics", "Level"),
    )


def remove_default(apps, schema_editor):
    apps.get_model("rubrics", "Rubric").objects.filter(district__isnull=True, is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("rubrics", "0001_initial")]
    operations = [migrations.RunPython(load_default, remove_default)]
