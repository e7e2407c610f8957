"""`make run` loads demo data: every demo login works and every page has something to show."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from assetlens.models import Membership
from audits.models import Audit, Score
from committees.models import Committee

pytestmark = pytest.mark.django_db


def sign_in(client, username):
    response = client.post(reverse("login"), {"login": username, "password": "assetlens-demo"})
    return response.status_code == 302


def test_demo_data_gives_every_role_in_two_districts_a_login_and_is_safe_to_load_twice(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    printed = capsys.readouterr().out
    for username in ("siteadmin", "riverbend-leader", "riverbend-committee", "riverbend-admin",
                     "mesa-leader", "mesa-committee", "mesa-admin"):
        assert username in printed
        assert sign_in(client, username), username
        client.logout()
    assert Membership.objects.count() == 6
    # Per district: four scored audits (two auditors × two products) and one draft; one committee.
    assert Audit.objects.filter(status="scored").count() == 8 == Score.objects.count()
    assert Audit.objects.filter(status="draft").count() == 2
    assert Committee.objects.count() == 2


def test_demo_leader_lands_on_a_dashboard_with_scored_audits(client):
    call_command("seed_demo", stdout=io.StringIO())
    assert sign_in(client, "mesa-leader")
    page = client.get(reverse("dashboard")).content.decode()
    assert "Mesa Verde Schools audits" in page and "ReadAlong Stories" in page and "Scored" in page


def test_demo_people_have_notifications_and_a_request_with_a_due_date(client):
    from committees.models import AuditRequest
    from notifications.models import Notification

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert AuditRequest.objects.filter(due_date__isnull=False).count() == 6  # three a district
    assert Notification.objects.count() == 6  # two asked and one reminded, a district
    assert sign_in(client, "riverbend-committee")
    page = client.get(reverse("notification_list")).content.decode()
    assert "K-5 reading supplement asks you to audit FamilyBridge" in page
    client.logout()
    assert sign_in(client, "riverbend-admin")
    assert "is due in two days" in client.get(reverse("notification_list")).content.decode()
