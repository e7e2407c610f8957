"""A district admin invites people by email; each gets a single-use link, delivered by SMTP, that lets them in."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from assetlens.models import Membership
from committees.models import Committee, CommitteeMember
from notifications.models import Notification
from outbox.models import OutgoingMail
from people import selectors, services
from people.models import Invitation, hash_token
from tests.conftest import make_user
from tests.mailserver import body

from .helpers import invite_form, join_link

PASSWORD = "a-long-river-of-books-42"


def join_data(first="Ana", last="Ruiz", password=PASSWORD, again=None):
    return {"first_name": first, "last_name": last, "password1": password,
            "password2": password if again is None else again}


@pytest.mark.django_db(transaction=True)
def test_invitation_is_delivered_by_smtp_in_spanish_and_its_link_lets_the_person_in_with_role_and_committees(
    smtp_server, spanish_catalogue, admin_client, district_a, fresh_client
):
    committee = Committee.objects.create(district=district_a, name="K-5 reading")
    response = admin_client.post(reverse("people_invite"), invite_form(
        "ana@alder.example\nBen Ortiz <BEN@alder.example>", role="committee_member", language="es",
        committees=[committee]))
    assert response.status_code == 302 and response["Location"] == reverse("people_list")

    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["ana@alder.example", "ben@alder.example"]
    ana = next(m for m in messages if m["To"] == "ana@alder.example")
    # In the language the admin chose, with a plain-text and an HTML part that name the district and role.
    assert ana["Subject"] == "Tiene una invitación a Alder District en AssetLens"
    assert "Integrante del comité" in body(ana) and "Lee Chen" in body(ana)
    assert 'lang="es"' in body(ana, "html")
    link = join_link(ana)
    # Only a hash of the link's secret is kept.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.get(email="ana@alder.example").token_hash == hash_token(token)

    # The People page says the email was delivered.
    page = admin_client.get(reverse("people_list")).content.decode()
    assert "ana@alder.example" in page and "Delivered" in page

    visitor = fresh_client()
    page = visitor.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Alder District" in text and "ana@alder.example" in text
    response = visitor.post(link, join_data())
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    ana_user = User.objects.get(email="ana@alder.example")
    assert ana_user.get_full_name() == "Ana Ruiz" and ana_user.check_password(PASSWORD)
    assert ana_user.membership.district == district_a
    assert ana_user.membership.role == Membership.Role.COMMITTEE_MEMBER and ana_user.membership.language == "es"
    assert CommitteeMember.objects.filter(committee=committee, user=ana_user).exists()
    # Signed in, on their district's dashboard.
    assert visitor.session[SESSION_KEY] == str(ana_user.pk)
    assert "Alder District" in visitor.get(reverse("dashboard")).content.decode()

    # The admin who sent it hears that Ana joined: in the app, and by email (the default for invitations).
    [told] = Notification.objects.filter(event=Notification.Event.INVITATION_ACCEPTED)
    assert told.recipient.username == "alder-lee" and told.params["person"] == "Ana Ruiz"
    accepted = smtp_server.wait_for(3)[2]
    assert accepted["To"] == "lee@alder.example" and "Ana Ruiz" in body(accepted)

    # The link was single-use: it now says so, and whom to ask.
    again = fresh_client().get(link)
    assert again.status_code == 410
    assert "This invitation was used already" in again.content.decode() and "Lee Chen" in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_the_invitation_is_saved_and_the_people_page_says_not_delivered_yet(smtp_server,
                                                                                         admin_client):
    smtp_server.stop()
    response = admin_client.post(reverse("people_invite"), invite_form("ana@alder.example"))
    assert response.status_code == 302
    page = admin_client.get(reverse("people_list")).content.decode()
    assert "ana@alder.example" in page and "Not delivered yet" in page
    assert OutgoingMail.objects.get(to="ana@alder.example").status == OutgoingMail.Status.QUEUED


@pytest.mark.django_db(transaction=True)
def test_inviting_an_address_again_resends_it_with_a_new_link_and_the_old_one_stops_working(
    smtp_server, admin_client, fresh_client
):
    admin_client.post(reverse("people_invite"), invite_form("ana@alder.example"))
    first = join_link(smtp_server.wait_for(1)[0])
    Invitation.objects.update(expires_at=timezone.now() + timedelta(days=1))

    response = admin_client.post(reverse("people_invite"), invite_form("Ana@Alder.example", role="district_admin"),
                                 follow=True)
    assert "was already invited: the invitation is sent again" in response.content.decode()
    second = join_link(smtp_server.wait_for(2)[1])
    invitation = Invitation.objects.get()  # still one invitation, with the role chosen now and 7 more days
    assert invitation.role == Membership.Role.DISTRICT_ADMIN
    assert invitation.expires_at > timezone.now() + timedelta(days=6, hours=23)
    assert first != second
    assert fresh_client().get(first).status_code == 404
    assert fresh_client().get(second).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_resend_button_sends_a_new_link(smtp_server, admin_client, named_admin, district_a):
    [result] = services.invite(district_a, named_admin, ["ana@alder.example"], "leader")
    smtp_server.wait_for(1)
    response = admin_client.post(reverse("invitation_resend", args=[result.invitation_id]), follow=True)
    assert "is sent again, with a new link" in response.content.decode()
    [_, again] = smtp_server.wait_for(2)
    assert join_link(again) != reverse("join", args=[result.token])


@pytest.mark.django_db
def test_a_pasted_list_with_a_malformed_line_names_it_keeps_everything_typed_and_sends_nothing(admin_client):
    pasted = "ana@alder.example\nnot-an-address\nben@alder.example, carla@"
    response = admin_client.post(reverse("people_invite"), invite_form(pasted))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2: “not-an-address” is not an email address." in page
    assert "Line 3: “carla@” is not an email address." in page
    assert "ana@alder.example\nnot-an-address\nben@alder.example, carla@" in page  # the textarea keeps it all
    assert Invitation.objects.count() == 0 and OutgoingMail.objects.count() == 0


@pytest.mark.django_db
def test_an_address_of_another_district_is_named_and_never_moved(admin_client, district_b,
                                                                 django_capture_on_commit_callbacks):
    other = make_user("birch-person", district_b, Membership.Role.LEADER, email="Sam@birch.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("people_invite"), invite_form("sam@birch.example\nana@alder.example"),
                                     follow=True)
    page = response.content.decode()
    assert "sam@birch.example already belongs to another district on AssetLens" in page
    assert "Invitation sent to ana@alder.example" in page
    assert not Invitation.objects.filter(email="sam@birch.example").exists()
    assert list(OutgoingMail.objects.values_list("to", flat=True)) == ["ana@alder.example"]
    other.membership.refresh_from_db()
    assert other.membership.district == district_b


@pytest.mark.django_db
def test_an_address_already_in_the_district_is_told_so(admin_client, district_a):
    make_user("ana", district_a, Membership.Role.LEADER, email="ana@alder.example")
    response = admin_client.post(reverse("people_invite"), invite_form("ANA@alder.example"), follow=True)
    assert "ana@alder.example is already in your district: nothing was sent" in response.content.decode()
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_expired_revoked_and_unknown_links_say_so_and_whom_to_ask(client, named_admin, district_a):
    expired, revoked = services.invite(district_a, named_admin, ["old@alder.example", "gone@alder.example"], "leader")
    Invitation.objects.filter(pk=expired.invitation_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    services.revoke(Invitation.objects.get(pk=revoked.invitation_id))

    page = client.get(reverse("join", args=[expired.token]))
    assert page.status_code == 410
    text = page.content.decode()
    assert "This invitation has expired" in text and "ask Lee Chen, who invited you to Alder District" in text
    assert "<form" not in text.split('id="main"')[1].split("</main>")[0], "nothing else to do on the page"
    # Posting a password to it does not create an account either.
    assert client.post(reverse("join", args=[expired.token]), join_data()).status_code == 410
    assert not User.objects.filter(email="old@alder.example").exists()

    page = client.get(reverse("join", args=[revoked.token]))
    assert page.status_code == 410 and "This invitation was withdrawn" in page.content.decode()
    page = client.get(reverse("join", args=["x" * 43]))
    assert page.status_code == 404 and "This invitation link does not work" in page.content.decode()


@pytest.mark.django_db
def test_revoke_can_be_undone_and_the_same_link_works_again(admin_client, named_admin, district_a, fresh_client):
    [result] = services.invite(district_a, named_admin, ["ana@alder.example"], "leader")
    response = admin_client.post(reverse("invitation_revoke", args=[result.invitation_id]), follow=True)
    assert "The invitation for ana@alder.example is revoked" in response.content.decode()
    assert fresh_client().get(reverse("join", args=[result.token])).status_code == 410

    response = admin_client.post(reverse("invitation_restore", args=[result.invitation_id]), follow=True)
    assert "its link works again" in response.content.decode()
    assert fresh_client().get(reverse("join", args=[result.token])).status_code == 200


@pytest.mark.django_db
def test_another_districts_admin_cannot_resend_revoke_or_see_an_invitation(client, named_admin, district_a,
                                                                         district_b):
    [result] = services.invite(district_a, named_admin, ["ana@alder.example"], "leader")
    client.force_login(make_user("birch-admin", district_b, Membership.Role.DISTRICT_ADMIN))
    for name in ("invitation_resend", "invitation_revoke", "invitation_restore"):
        assert client.post(reverse(name, args=[result.invitation_id])).status_code == 404
    assert "ana@alder.example" not in client.get(reverse("people_list")).content.decode()
    assert Invitation.objects.get(pk=result.invitation_id).revoked_at is None


@pytest.mark.django_db
def test_join_form_checks_the_password_and_keeps_the_name(client, named_admin, district_a):
    [result] = services.invite(district_a, named_admin, ["ana@alder.example"], "leader")
    link = reverse("join", args=[result.token])
    response = client.post(link, join_data(password="password"))
    page = response.content.decode()
    assert response.status_code == 200 and "This password is too common." in page and 'value="Ana"' in page
    response = client.post(link, join_data(again="something-else-entirely"))
    assert "The two passwords differ" in response.content.decode()
    assert not User.objects.filter(email="ana@alder.example").exists()
    assert selectors.open_invitations_for_email("ana@alder.example")


@pytest.mark.django_db
def test_someone_with_an_account_signs_in_to_accept_and_nobody_else_can_use_their_link(client, named_admin,
                                                                                      district_a):
    person = make_user("ana-old", email="ana@alder.example")  # an account without a district
    [result] = services.invite(district_a, named_admin, ["ana@alder.example"], "leader")
    link = reverse("join", args=[result.token])
    page = client.get(link).content.decode()
    assert "already has an AssetLens account" in page and f"?next={link}" in page
    assert client.post(link, join_data()).status_code == 200
    assert User.objects.filter(email__iexact="ana@alder.example").count() == 1

    client.force_login(named_admin)  # someone else signed in
    assert client.get(link).status_code == 403

    client.force_login(person)
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    person.refresh_from_db()
    assert person.membership.district == district_a and person.membership.role == Membership.Role.LEADER


@pytest.mark.django_db
def test_a_link_used_in_another_tab_a_moment_ago_leaves_no_second_account(client, named_admin, district_a):
    [result] = services.invite(district_a, named_admin, ["ana@alder.example"], "leader")
    link = reverse("join", args=[result.token])
    client.get(link)
    Invitation.objects.filter(pk=result.invitation_id).update(accepted_at=timezone.now())
    assert client.post(link, join_data()).status_code == 410
    with pytest.raises(services.InvitationClosed):
        services.accept_invitation(result.invitation_id, "Ana", "Ruiz", PASSWORD)
    assert not User.objects.filter(email="ana@alder.example").exists()
