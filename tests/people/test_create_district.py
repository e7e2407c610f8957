"""How a district gets started: `create_district` with its first admin, then that admin invites everyone else."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from assetlens.models import District, Membership
from people.models import Invitation
from tests.conftest import make_user
from tests.mailserver import body

from .helpers import join_link


def run(*args):
    out = io.StringIO()
    call_command("create_district", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_create_district_emails_the_first_admin_and_prints_a_link_that_makes_them_its_admin(smtp_server, client):
    printed = run("Cedar Valley Schools", "Head@Cedar.example", "--language", "es")
    district = District.objects.get(name="Cedar Valley Schools")
    assert district.slug == "cedar-valley-schools"
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "head@cedar.example"
    link = join_link(message)
    assert link in printed and "Cedar Valley Schools" in body(message)
    assert Invitation.objects.get().language == "es"

    response = client.post(link, {"first_name": "Hana", "last_name": "Ito", "password1": "cedar-trees-grow-tall-9",
                                  "password2": "cedar-trees-grow-tall-9"})
    assert response.status_code == 302
    membership = User.objects.get(email="head@cedar.example").membership
    assert membership.district == district and membership.role == Membership.Role.DISTRICT_ADMIN
    assert client.get(reverse("people_list")).status_code == 200


@pytest.mark.django_db
def test_create_district_with_a_password_makes_the_admin_at_once(monkeypatch, client):
    monkeypatch.setenv("ASSETLENS_ADMIN_PASSWORD", "cedar-trees-grow-tall-9")
    printed = run("Cedar Valley Schools", "head@cedar.example", "--password")
    assert "can sign in now" in printed
    admin = User.objects.get(email="head@cedar.example")
    assert admin.check_password("cedar-trees-grow-tall-9")
    assert admin.membership.role == Membership.Role.DISTRICT_ADMIN
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_create_district_refuses_a_weak_password_a_taken_name_and_an_address_of_another_district(monkeypatch,
                                                                                                 district_b):
    monkeypatch.setenv("ASSETLENS_ADMIN_PASSWORD", "password")
    with pytest.raises(CommandError, match="too common"):
        run("Cedar Valley Schools", "head@cedar.example", "--password")
    with pytest.raises(CommandError, match="already exists"):
        run("birch district", "head@cedar.example")
    make_user("birch-person", district_b, Membership.Role.LEADER, email="sam@birch.example")
    with pytest.raises(CommandError, match="already belongs to a district"):
        run("Cedar Valley Schools", "sam@birch.example")
    with pytest.raises(CommandError, match="not an email address"):
        run("Cedar Valley Schools", "not-an-address")
    assert not District.objects.filter(name="Cedar Valley Schools").exists()


@pytest.mark.django_db
def test_demo_data_shows_a_pending_invitation_on_the_people_page(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # safe twice: still one invitation a district
    assert "new-teacher@riverbend.example.org: http" in out.getvalue()
    assert Invitation.objects.filter(accepted_at__isnull=True).count() == 2
    client.force_login(User.objects.get(username="riverbend-admin"))
    page = client.get(reverse("people_list")).content.decode()
    assert "new-teacher@riverbend.example.org" in page and "Invited by Lee Chen" in page
