"""Fill the header's unread count (assetlens 0004) from the notifications already waiting."""

from django.db import migrations
from django.db.models import Count, Q


def count_unread(apps, schema_editor):
    Membership = apps.get_model("assetlens", "Membership")
    Notification = apps.get_model("notifications", "Notification")
    waiting = (Notification.objects.filter(read_at__isnull=True).values("recipient_id", "district_id")
               .annotate(n=Count("id")).filter(~Q(n=0)))
    for row in waiting.iterator():
        Membership.objects.filter(user_id=row["recipient_id"], district_id=row["district_id"]).update(
            unread_notifications=row["n"])


class Migration(migrations.Migration):
    dependencies = [
        ("assetlens", "0004_membership_unread_notifications"),
        ("notifications", "0003_decision_proposals_and_held_news"),
    ]

    operations = [migrations.RunPython(count_unread, migrations.RunPython.noop)]
