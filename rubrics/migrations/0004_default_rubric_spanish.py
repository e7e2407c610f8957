"""The shared default rubric's text in Spanish, so the whole interface, rubric included, reads in Spanish."""

from django.db import migrations

from rubrics.spanish import apply_spanish


class Migration(migrations.Migration):
    dependencies = [("rubrics", "0003_one_draft_per_rubric")]
    operations = [migrations.RunPython(apply_spanish, migrations.RunPython.noop)]
