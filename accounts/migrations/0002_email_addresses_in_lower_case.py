from django.db import migrations
from django.db.models.functions import Lower, Trim


def lower_case_emails(apps, schema_editor):
    """allauth finds people by email in lower case: addresses typed before it came keep working."""
    User = apps.get_model("auth", "User")
    User.objects.exclude(email="").update(email=Lower(Trim("email")))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(lower_case_emails, migrations.RunPython.noop)]
