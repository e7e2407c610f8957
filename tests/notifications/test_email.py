"""Notification email leaves by SMTP to a real server on loopback: a plain and an HTML part, the recipient's
language, an absolute link to the thing and a one-click unsubscribe link that works without signing in."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from assetlens.models import Membership
from committees import services as committee_services
from notifications import tokens
from notifications.models import Delivery, Kind, Notification, Preference
from products.models import Product
from tests.mailserver import body

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")


def ask(committee, product, member, admin, capture, due=None):
    with capture(execute=True):  # the commit: the outbox hands the mail to the (in-process) worker
        committee_services.request_audits(committee, product, [member], admin, due)


def unsubscribe_link(text):
    return next(url for url in LINK.findall(text) if "/notifications/unsubscribe/" in url)


def test_an_asked_member_gets_an_email_with_both_parts_a_link_and_an_unsubscribe_link(
        smtp_server, committee, product, committee_member, district_admin, django_capture_on_commit_callbacks):
    due = timezone.localdate() + timedelta(days=7)
    ask(committee, product, committee_member, district_admin, django_capture_on_commit_callbacks, due)
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "alder-committee@example.org"
    assert message["Subject"] == "K-5 reading asks you to audit ReadAlong"
    text, html = body(message), body(message, "html")
    page = f"{settings.SITE_URL}{reverse('committee_detail', args=[committee.pk])}"
    assert "Hello Sam Okafor," in text and page in text and f'href="{page}"' in html
    assert "Please submit your audit by" in text and "Please submit your audit by" in html
    unsubscribe = unsubscribe_link(text)
    assert unsubscribe.startswith(settings.SITE_URL) and f'href="{unsubscribe}"' in html
    # Mail clients show their own "Unsubscribe" button from these (RFC 2369, RFC 8058).
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"  # folded: a long line
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get().mail.status == "sent"


def test_a_spanish_speaking_member_gets_the_email_in_spanish(
        spanish, smtp_server, committee, product, committee_member, district_admin,
        django_capture_on_commit_callbacks):
    Membership.objects.filter(user=committee_member).update(language="es")
    ask(committee, product, committee_member, district_admin, django_capture_on_commit_callbacks,
        timezone.localdate() + timedelta(days=7))
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "K-5 reading le pide auditar ReadAlong"
    for part in (body(message), body(message, "html")):
        assert "Hola Sam Okafor," in part and "Entregue su auditoría a más tardar el" in part
        assert "Dejar de recibir estos correos" in part
    assert '<html lang="es">' in body(message, "html")


def test_following_the_unsubscribe_link_stops_that_kind_by_email_but_keeps_it_in_the_app(
        client, smtp_server, committee, product, committee_member, district_admin,
        django_capture_on_commit_callbacks):
    ask(committee, product, committee_member, district_admin, django_capture_on_commit_callbacks)
    [message] = smtp_server.wait_for(1)
    url = unsubscribe_link(body(message)).removeprefix(settings.SITE_URL)

    # Signed out: the link asks first (a mail scanner that follows links unsubscribes nobody), then stops them.
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Stop these emails?" in confirm.content.decode()
    assert "Requests to audit a product" in confirm.content.decode()
    assert not Preference.objects.exists()
    done = client.post(url)
    assert done.status_code == 200 and "Emails stopped" in done.content.decode()
    assert Preference.objects.get(user=committee_member, kind=Kind.AUDIT_REQUESTS).delivery == Delivery.APP

    second = Product.objects.create(district=product.district, name="MathSprint")
    ask(committee, second, committee_member, district_admin, django_capture_on_commit_callbacks)
    latest = Notification.objects.get(params__product="MathSprint")
    assert latest.delivery == Delivery.APP and latest.mail is None
    assert len(smtp_server.messages) == 1, "no second email"
    client.force_login(committee_member)
    assert "K-5 reading asks you to audit MathSprint" in client.get(reverse("notification_list")).content.decode()


def test_a_mail_clients_one_click_post_unsubscribes_without_a_csrf_token_or_a_session(committee_member):
    from django.test import Client

    url = reverse("notification_unsubscribe", args=[tokens.make(committee_member.pk, Kind.REPORTS)])
    response = Client(enforce_csrf_checks=True).post(url, "List-Unsubscribe=One-Click",
                                                     content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert Preference.objects.get(user=committee_member).kind == Kind.REPORTS


@pytest.mark.parametrize("change", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
    lambda token: token.split(":")[0] + "x:" + token.split(":", 1)[1],  # the signed data
    lambda token: token[: len(token) // 2],  # cut short by a mail client
    lambda token: "not-a-token",
])
def test_a_changed_unsubscribe_link_is_a_400_with_a_reason_and_changes_nothing(client, committee_member, change):
    url = reverse("notification_unsubscribe", args=[change(tokens.make(committee_member.pk, Kind.REPORTS))])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
    assert not Preference.objects.exists()


def test_a_link_signed_for_another_purpose_is_refused(client, committee_member):
    from django.core import signing

    forged = signing.dumps({"u": committee_member.pk, "k": "reports"}, salt="people.invitation")
    response = client.post(reverse("notification_unsubscribe", args=[forged]))
    assert response.status_code == 400 and not Preference.objects.exists()


def test_a_link_for_an_account_that_is_gone_is_a_400(client):
    response = client.get(reverse("notification_unsubscribe", args=[tokens.make(999999, Kind.REPORTS)]))
    assert response.status_code == 400 and "no longer exists" in response.content.decode()
