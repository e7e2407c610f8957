import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Committees, requests, reports, comments, decisions and agreed levels moved here from `audits`: the tables
    were renamed by audits 0003 (rows, ids and foreign keys unchanged); this only tells Django."""

    initial = True

    dependencies = [
        ('assetlens', '0001_initial'),
        ('audits', '0003_move_tables_out'),
        ('products', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='Committee',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='committee name')),
                        ('purpose', models.TextField(blank=True, max_length=2000, verbose_name='purpose')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='CommitteeMember',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('added_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'ordering': ['committee', 'user__username'],
                    },
                ),
                migrations.CreateModel(
                    name='ComparisonReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('queued', 'Waiting for a worker'), ('running', 'Building'), ('ready', 'Ready'), ('failed', 'Paused')], db_index=True, default='queued', max_length=16)),
                        ('progress', models.PositiveSmallIntegerField(default=0)),
                        ('stage', models.CharField(blank=True, max_length=200)),
                        ('result', models.JSONField(blank=True, default=dict)),
                        ('failure_message', models.TextField(blank=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('queued_at', models.DateTimeField(blank=True, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ConsensusLevel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('criterion_key', models.SlugField(max_length=80)),
                        ('level', models.PositiveSmallIntegerField(verbose_name='agreed level')),
                        ('reason', models.TextField(max_length=5000, verbose_name='reason')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'ordering': ['report', 'product', 'criterion_key'],
                    },
                ),
                migrations.CreateModel(
                    name='Decision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('outcome', models.CharField(choices=[('adopt', 'Adopt'), ('pilot', 'Pilot'), ('decline', 'Decline'), ('need_more_information', 'Need more information')], max_length=32, verbose_name='decision')),
                        ('rationale', models.TextField(max_length=5000, verbose_name='rationale')),
                        ('decided_on', models.DateField(verbose_name='date decided')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'ordering': ['-decided_on', '-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ReportComment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('body', models.TextField(max_length=5000, verbose_name='comment')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='AuditRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit_requests', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['product__name', 'member__username'],
                    },
                ),
                migrations.AddField(
                    model_name='auditrequest',
                    name='product',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit_requests', to='products.product'),
                ),
                migrations.AddField(
                    model_name='auditrequest',
                    name='requested_by',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='committee',
                    name='created_by',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='committee',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='committees', to='assetlens.district'),
                ),
                migrations.AddField(
                    model_name='auditrequest',
                    name='committee',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit_requests', to='committees.committee'),
                ),
                migrations.AddField(
                    model_name='committeemember',
                    name='committee',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='committees.committee'),
                ),
                migrations.AddField(
                    model_name='committeemember',
                    name='user',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='committee_memberships', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='committee',
                    name='members',
                    field=models.ManyToManyField(related_name='committees', through='committees.CommitteeMember', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='comparisonreport',
                    name='audits',
                    field=models.ManyToManyField(related_name='comparison_reports', to='audits.audit'),
                ),
                migrations.AddField(
                    model_name='comparisonreport',
                    name='committee',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='committees.committee'),
                ),
                migrations.AddField(
                    model_name='comparisonreport',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comparison_reports', to='assetlens.district'),
                ),
                migrations.AddField(
                    model_name='comparisonreport',
                    name='products',
                    field=models.ManyToManyField(related_name='comparison_reports', to='products.product'),
                ),
                migrations.AddField(
                    model_name='comparisonreport',
                    name='requested_by',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='consensuslevel',
                    name='product',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='products.product'),
                ),
                migrations.AddField(
                    model_name='consensuslevel',
                    name='report',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consensus_levels', to='committees.comparisonreport'),
                ),
                migrations.AddField(
                    model_name='consensuslevel',
                    name='set_by',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='decision',
                    name='committee',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='committees.committee'),
                ),
                migrations.AddField(
                    model_name='decision',
                    name='decided_by',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='decision',
                    name='product',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='products.product'),
                ),
                migrations.AddField(
                    model_name='decision',
                    name='report',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='decisions', to='committees.comparisonreport'),
                ),
                migrations.AddField(
                    model_name='reportcomment',
                    name='author',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='reportcomment',
                    name='report',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='committees.comparisonreport'),
                ),
                migrations.AddConstraint(
                    model_name='auditrequest',
                    constraint=models.UniqueConstraint(fields=('committee', 'product', 'member'), name='one_request_per_member_product'),
                ),
                migrations.AddConstraint(
                    model_name='committeemember',
                    constraint=models.UniqueConstraint(fields=('committee', 'user'), name='one_membership_per_committee'),
                ),
                migrations.AddConstraint(
                    model_name='committee',
                    constraint=models.UniqueConstraint(fields=('district', 'name'), name='committee_name_unique_in_district'),
                ),
                migrations.AddConstraint(
                    model_name='consensuslevel',
                    constraint=models.UniqueConstraint(fields=('report', 'product', 'criterion_key'), name='one_consensus_per_criterion'),
                ),
        ]),
    ]
