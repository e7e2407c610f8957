from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The rule itself, in its own transaction: on PostgreSQL an index cannot be built in the transaction that
    just moved answers (its deferred foreign-key checks are still pending)."""

    dependencies = [
        ('audits', '0007_one_draft_per_person'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='audit',
            constraint=models.UniqueConstraint(condition=models.Q(('deleted_at__isnull', True), ('status', 'draft')), fields=('product', 'auditor'), name='one_draft_per_person_product'),
        ),
    ]
