from django.db import migrations


class Migration(migrations.Migration):
    """Products move to `products`, committee work to `committees`: each table is renamed to the name its new
    app gives it (with the comparison report's two link tables), so every row, id and foreign key stays as
    it is. Migrations 0001 of those apps and 0004 here then move the models in Django's own records only."""

    dependencies = [
        ('audits', '0002_committees'),
    ]

    operations = [
        migrations.AlterModelTable(name='product', table='products_product'),
        migrations.AlterModelTable(name='committee', table='committees_committee'),
        migrations.AlterModelTable(name='committeemember', table='committees_committeemember'),
        migrations.AlterModelTable(name='auditrequest', table='committees_auditrequest'),
        migrations.AlterModelTable(name='comparisonreport', table='committees_comparisonreport'),
        migrations.AlterModelTable(name='reportcomment', table='committees_reportcomment'),
        migrations.AlterModelTable(name='decision', table='committees_decision'),
        migrations.AlterModelTable(name='consensuslevel', table='committees_consensuslevel'),
    ]
