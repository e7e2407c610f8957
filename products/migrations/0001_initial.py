import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Products moved here from `audits`: the table was renamed by audits 0003; this only tells Django."""

    initial = True

    dependencies = [
        ('assetlens', '0001_initial'),
        ('audits', '0003_move_tables_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='Product',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='product name')),
                        ('vendor', models.CharField(blank=True, max_length=200, verbose_name='vendor')),
                        ('website', models.URLField(blank=True, max_length=500, verbose_name='website')),
                        ('purpose', models.TextField(blank=True, max_length=2000, verbose_name='what it is for')),
                        ('grade_bands', models.JSONField(blank=True, default=list, verbose_name='grade bands')),
                        ('marketing_copy', models.TextField(blank=True, max_length=200000, verbose_name="vendor's marketing copy")),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('district', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='products', to='assetlens.district')),
                    ],
                    options={
                        'ordering': ['name'],
                        'constraints': [models.UniqueConstraint(fields=('district', 'name'), name='product_name_unique_in_district')],
                    },
                ),
        ]),
    ]
