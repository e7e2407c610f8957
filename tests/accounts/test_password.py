"""Sign in with an email address, and get back in by a reset link delivered by SMTP to a real mail server."""

import re

import pytest
from django.urls import reverse

from assetlens.models import Membership
from outbox.models import OutgoingMail
from tests.conftest import make_user
from tests.mailserver import body

PASSWORD = "pw-for-tests-123"


@pytest.mark.django_db
def test_sign_in_with_email_address_or_username_and_password(client, district_a):
    make_user("maria", district_a, Membership.Role.LEADER, email="Maria.Lopez@alder.example")
    page = client.get(reverse("login")).content.decode()
    assert 'name="login"' in page and reverse("account_reset_password") in page and "Forgot your password?" in page
    response = client.post(reverse("login"), {"login": "maria.lopez@ALDER.example", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"login": "maria", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_sign_up_is_closed_people_join_by_invitation(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200 and "Sign Up Closed" in response.content.decode()
    client.post(reverse("account_signup"), {"email": "x@example.org", "username": "x", "password1": "a-Long-pw-77",
                                            "password2": "a-Long-pw-77"})
    from django.contrib.auth.models import User

    assert not User.objects.filter(username="x").exists()


def reset_link(message):
    return re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", body(message)).group(1)


@pytest.mark.django_db(transaction=True)
def test_a_reset_link_arrives_by_smtp_in_the_persons_language_works_once_then_says_how_to_get_another(
        client, smtp_server, district_a):
    user = make_user("maria", district_a, Membership.Role.LEADER, email="maria@alder.example")
    Membership.objects.filter(user=user).update(language="es")
    # Someone guessed her password: the account waits. The reset link is the way back.
    for _ in range(6):
        client.post(reverse("login"), {"login": "maria", "password": "not-it"})
    assert client.post(reverse("login"), {"login": "maria", "password": PASSWORD}).status_code == 429

    response = client.post(reverse("account_reset_password"), {"email": "maria@alder.example"})
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "maria@alder.example"
    assert "contraseña" in message["Subject"].lower(), message["Subject"]
    assert "<a href=" in body(message, "html")
    mail = OutgoingMail.objects.get()
    assert mail.kind == "password_reset" and mail.status == OutgoingMail.Status.SENT

    link = reset_link(message)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and 'name="password1"' in form_page.content.decode()
    new_password = "Un-nuevo-secreto-2026"
    response = client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
                           {"password1": new_password, "password2": new_password})
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_from_key_done")
    response = client.post(reverse("login"), {"login": "maria@alder.example", "password": new_password})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    client.post(reverse("logout"))

    # Used once: the same link now says so and how to get a new one.
    again = client.get(link, follow=True)
    page = again.content.decode()
    assert "This reset link no longer works" in page and reverse("account_reset_password") in page


@pytest.mark.django_db(transaction=True)
def test_an_unknown_address_gets_the_same_answer_and_no_mail_and_asking_again_at_once_waits(
        client, smtp_server, district_a):
    make_user("maria", district_a, Membership.Role.LEADER, email="maria@alder.example")
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@alder.example"})
    known = client.post(reverse("account_reset_password"), {"email": "maria@alder.example"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == reverse("account_reset_password_done")
    smtp_server.wait_for(1)
    assert [m["To"] for m in smtp_server.messages] == ["maria@alder.example"]
    # One reset email every three minutes per address: the second asks to wait, with a page, not a 500.
    response = client.post(reverse("account_reset_password"), {"email": "maria@alder.example"})
    assert response.status_code == 429 and "Please wait a moment" in response.content.decode()


@pytest.mark.django_db
def test_a_malformed_address_on_the_reset_page_is_explained_and_kept(client):
    response = client.post(reverse("account_reset_password"), {"email": "maria at alder"})
    page = response.content.decode()
    assert response.status_code == 200 and "maria at alder" in page and "invalid-feedback" in page
