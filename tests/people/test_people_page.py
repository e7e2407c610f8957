"""The People page: everyone in the district and everyone invited, for district admins only."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from assetlens.models import Membership
from committees.models import AuditRequest
from outbox.models import OutgoingMail
from people import selectors, services
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_admin_sees_roles_statuses_last_sign_in_work_and_pending_invitations(admin_client, named_admin, district_a,
                                                                             committee, committee_member, product):
    AuditRequest.objects.create(committee=committee, product=product, member=committee_member)
    User.objects.filter(pk=committee_member.pk).update(last_login=timezone.now() - timedelta(days=1))
    gone = make_user("gone", district_a, Membership.Role.LEADER, first_name="Gwen", last_name="Ode")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    services.invite(district_a, named_admin, ["new@alder.example"], "committee_member")

    response = admin_client.get(reverse("people_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "People in Alder District" in page
    assert "4 people active" in page and "1 invitation pending" in page and "1 deactivated" in page
    assert "Audit ReadAlong for K-5 reading" in page  # what the committee member is working on
    assert "Gwen Ode" in page and "Deactivated" in page
    assert "new@alder.example" in page and "Invited by Lee Chen" in page
    # The active people come first, then invitations, then who has left.
    assert page.index("alder-committee") < page.index("new@alder.example") < page.index("Gwen Ode")
    # Another district's people are never listed.
    make_user("birch-person", None)
    assert "birch" not in page


def test_search_and_filters_narrow_the_list_and_say_when_nobody_matches(admin_client, named_admin, district_a,
                                                                        leader, committee_member):
    User.objects.filter(pk=leader.pk).update(first_name="Rosa", last_name="Martínez")
    services.invite(district_a, named_admin, ["rosa.new@alder.example"], "leader")

    page = admin_client.get(reverse("people_list"), {"q": "rosa mart"}).content.decode()
    assert "Rosa Martínez" in page and "rosa.new@alder.example" not in page and "alder-committee" not in page
    page = admin_client.get(reverse("people_list"), {"q": "rosa"}).content.decode()
    assert "Rosa Martínez" in page and "rosa.new@alder.example" in page
    page = admin_client.get(reverse("people_list"), {"status": "invited"}).content.decode()
    assert "rosa.new@alder.example" in page and "Rosa Martínez" not in page
    page = admin_client.get(reverse("people_list"), {"role": "committee_member"}).content.decode()
    assert "alder-committee" in page and "Rosa Martínez" not in page
    page = admin_client.get(reverse("people_list"), {"q": "nobody-like-this"}).content.decode()
    assert "Nobody matches this search." in page
    # A bookmarked address with a filter that no longer exists still shows the page.
    response = admin_client.get(reverse("people_list"), {"role": "owner", "status": "gone", "page": "x"})
    assert response.status_code == 200 and "Rosa Martínez" in response.content.decode()


def test_many_people_are_paged_and_the_filters_follow_the_pages(admin_client, district_a):
    for n in range(selectors.PAGE_SIZE + 5):
        make_user(f"teacher-{n:02d}", district_a, Membership.Role.LEADER, first_name="Teacher", last_name=f"{n:02d}")
    first = admin_client.get(reverse("people_list"), {"role": "leader"}).content.decode()
    assert "Page 1 of 2" in first and "role=leader&amp;page=2" in first
    second = admin_client.get(reverse("people_list"), {"role": "leader", "page": 2}).content.decode()
    assert "Teacher 29" in second and "Teacher 00" not in second


def test_the_people_page_says_when_an_invitation_is_not_delivered_yet_and_when_its_link_expired(
    admin_client, named_admin, district_a
):
    [waiting, expired] = services.invite(district_a, named_admin, ["a@alder.example", "b@alder.example"], "leader")
    OutgoingMail.objects.update(status=OutgoingMail.Status.QUEUED)
    services.Invitation.objects.filter(pk=expired.invitation_id).update(expires_at=timezone.now())
    page = admin_client.get(reverse("people_list")).content.decode()
    assert page.count("Not delivered yet") == 2 and "The link has expired: resend it." in page


@pytest.mark.parametrize("url", ["people_list", "people_invite"])
def test_other_roles_are_told_the_people_page_is_for_district_admins(leader_client, url):
    response = leader_client.get(reverse(url))
    assert response.status_code == 403
    assert "Only your district admins can see and change who is in your district." in response.content.decode()


def test_another_districts_admin_gets_404_for_this_districts_people(client, district_b, leader):
    client.force_login(make_user("birch-admin", district_b, Membership.Role.DISTRICT_ADMIN))
    pk = leader.membership.pk
    assert client.get(reverse("person_detail", args=[pk])).status_code == 404
    assert client.post(reverse("person_role", args=[pk]), {"role": "district_admin"}).status_code == 404
    assert client.post(reverse("person_deactivate", args=[pk])).status_code == 404
    assert client.post(reverse("person_reactivate", args=[pk])).status_code == 404
    leader.refresh_from_db()
    assert leader.is_active and leader.membership.role == Membership.Role.LEADER


def test_header_shows_people_to_district_admins_only(admin_client, leader, fresh_client):
    assert 'href="/people/"' in admin_client.get(reverse("dashboard")).content.decode()
    leader_client = fresh_client()
    leader_client.force_login(leader)
    assert 'href="/people/"' not in leader_client.get(reverse("dashboard")).content.decode()


def test_a_district_admin_reading_in_spanish_gets_the_people_page_in_spanish(admin_client, spanish_catalogue,
                                                                            settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = admin_client.get(reverse("people_list")).content.decode()
    assert "Personas en Alder District" in page and "Invitar personas" in page
    page = admin_client.get(reverse("people_invite")).content.decode()
    assert "Direcciones de correo electrónico" in page
