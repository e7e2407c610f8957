import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



def move_content_types(apps, schema_editor):
    """Admin history and permissions follow the models to their new apps."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models_ in (("products", ["product"]), ("committees", [
            "committee", "committeemember", "auditrequest", "comparisonreport", "reportcomment", "decision",
            "consensuslevel"])):
        for model in models_:
            if not ContentType.objects.filter(app_label=app_label, model=model).exists():
                ContentType.objects.filter(app_label="audits", model=model).update(app_label=app_label)


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label__in=["products", "committees"]).update(app_label="audits")


class Migration(migrations.Migration):
    """The other half of 0003: the moved models leave this app's records (state only; no table changes)."""

    dependencies = [
        ('audits', '0003_move_tables_out'),
        ('products', '0001_initial'),
        ('committees', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.RemoveField(
                    model_name='auditrequest',
                    name='committee',
                ),
                migrations.RemoveField(
                    model_name='auditrequest',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='auditrequest',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='auditrequest',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='committee',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='committee',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='committee',
                    name='members',
                ),
                migrations.RemoveField(
                    model_name='comparisonreport',
                    name='committee',
                ),
                migrations.RemoveField(
                    model_name='committeemember',
                    name='committee',
                ),
                migrations.RemoveField(
                    model_name='decision',
                    name='committee',
                ),
                migrations.RemoveField(
                    model_name='committeemember',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='comparisonreport',
                    name='audits',
                ),
                migrations.RemoveField(
                    model_name='comparisonreport',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='comparisonreport',
                    name='products',
                ),
                migrations.RemoveField(
                    model_name='comparisonreport',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='reportcomment',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='consensuslevel',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='decision',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='consensuslevel',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='consensuslevel',
                    name='set_by',
                ),
                migrations.RemoveField(
                    model_name='decision',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='decision',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='product',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='product',
                    name='district',
                ),
                migrations.AlterField(
                    model_name='audit',
                    name='product',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audits', to='products.product'),
                ),
                migrations.RemoveField(
                    model_name='reportcomment',
                    name='author',
                ),
                migrations.DeleteModel(
                    name='AuditRequest',
                ),
                migrations.DeleteModel(
                    name='Committee',
                ),
                migrations.DeleteModel(
                    name='CommitteeMember',
                ),
                migrations.DeleteModel(
                    name='ComparisonReport',
                ),
                migrations.DeleteModel(
                    name='ConsensusLevel',
                ),
                migrations.DeleteModel(
                    name='Decision',
                ),
                migrations.DeleteModel(
                    name='Product',
                ),
                migrations.DeleteModel(
                    name='ReportComment',
                ),
        ]),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
