"""A district gets its people in and out, in a real browser: an admin invites a colleague, the email is delivered
by SMTP to a real server, the colleague follows its link, sets a password and lands on their dashboard with the
right role; later she resets a forgotten password by email, is asked to audit a product and reminded by the
periodic task when it is overdue; then the admin deactivates her and her very next page load is the sign-in page.

Every page visited is checked with axe-core at WCAG 2.2 AA, with no console error along the way.
"""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from assetlens.models import District, Membership
from committees import services as committee_services
from committees.models import Committee, CommitteeMember
from notifications import tasks as notification_tasks
from products.models import Product
from tests.conftest import make_user
from tests.mailserver import body
from tests.people.helpers import LINK

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def uses_real_stack():
    return settings.REDIS_URL and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def mail_to(server, address, pattern, seconds=60):
    """The first email to `address` whose plain text matches `pattern`, waiting for the worker to send it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in server.messages:
            if message["To"] == address and re.search(pattern, body(message)):
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {address} matching {pattern!r}: {[m['Subject'] for m in server.messages]}")


@pytest.fixture
def mail_delivery(request, smtp_server):
    """In-process delivery locally; on the real stack a real `celery worker` process sends the mail by SMTP."""
    if uses_real_stack():
        request.getfixturevalue("workers")(**smtp_server.env())
    return smtp_server


def test_admin_invites_a_colleague_who_joins_by_the_emailed_link_and_is_signed_out_once_deactivated(
    page, browser, axe_source, live_server, mail_delivery, spanish_messages, settings
):
    settings.SITE_URL = live_server.url  # the link in the email points at this server
    district = District.objects.create(name="Lakeview Unified", slug="lakeview")
    make_user("lakeview-admin", district, Membership.Role.DISTRICT_ADMIN, first_name="Lee", last_name="Chen",
              email="lee@lakeview.example")
    committee = Committee.objects.create(district=district, name="Reading circle")

    sign_in(page, "lakeview-admin")
    page.get_by_role("link", name="People", exact=True).click()
    page.wait_for_url(re.compile(r"/people/$"))
    check_accessibility(page, axe_source, "People page")
    page.get_by_role("link", name="Invite people").click()
    page.wait_for_url(re.compile(r"/people/invite/$"))
    check_accessibility(page, axe_source, "invite form")

    # A malformed line first: it is named, and what was pasted stays in the box.
    page.fill("#id_emails", "ana@lakeview.example\nana at lakeview")
    page.get_by_role("button", name="Send invitations").click()
    assert "Line 2: “ana at lakeview” is not an email address." in page.get_by_role("alert").inner_text()
    assert page.input_value("#id_emails") == "ana@lakeview.example\nana at lakeview"
    check_accessibility(page, axe_source, "invite form with an error")

    page.fill("#id_emails", "Ana Ruiz <ana@lakeview.example>")
    page.get_by_label("Committee member").check()
    page.get_by_label("Reading circle").check()
    page.select_option("#id_language", "es")
    page.get_by_role("button", name="Send invitations").click()
    page.wait_for_url(re.compile(r"/people/$"))
    assert "Invitation sent to ana@lakeview.example" in page.locator(".messages").inner_text()
    check_accessibility(page, axe_source, "People page with a pending invitation")

    # The email reaches the real SMTP server, in Spanish, with the link.
    [message] = mail_delivery.wait_for(1, seconds=60)
    assert message["To"] == "ana@lakeview.example"
    assert message["Subject"] == "Tiene una invitación a Lakeview Unified en AssetLens"
    [link] = LINK.findall(body(message))
    assert link.startswith(live_server.url)
    page.reload()
    assert "Delivered" in page.locator("table").inner_text()

    # Ana opens it in her own browser, gives her name and sets a password.
    ana_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    ana = ana_context.new_page()
    ana.set_default_timeout(15_000)
    ana.console_problems = []
    ana.on("console", lambda m: ana.console_problems.append(m.text) if m.type == "error" else None)
    ana.on("pageerror", lambda exc: ana.console_problems.append(str(exc)))
    ana.goto(link)
    assert "Join Lakeview Unified on AssetLens" in ana.locator("h1").inner_text()
    assert "Committee member" in ana.locator("main").inner_text()
    assert ana.input_value("#join-email") == "ana@lakeview.example"
    check_accessibility(ana, axe_source, "join page")
    ana.fill("#id_first_name", "Ana")
    ana.fill("#id_last_name", "Ruiz")
    ana.fill("#id_password1", "lakeview-reads-together-7")
    ana.fill("#id_password2", "lakeview-reads-together-7")
    ana.get_by_role("button", name="Join and sign in").click()
    ana.wait_for_url(f"{live_server.url}/")
    assert "Lakeview Unified" in ana.locator("h1").inner_text()
    assert "Welcome to Lakeview Unified on AssetLens. You are a Committee member here." in ana.locator(
        ".messages").inner_text()
    assert ana.get_by_role("link", name="People", exact=True).count() == 0  # not an admin
    check_accessibility(ana, axe_source, "dashboard after joining")
    membership = Membership.objects.select_related("user").get(user__email="ana@lakeview.example")
    assert membership.district == district and membership.role == Membership.Role.COMMITTEE_MEMBER
    assert CommitteeMember.objects.filter(committee=committee, user=membership.user).exists()

    # The link was single-use.
    other = browser.new_context(base_url=live_server.url).new_page()
    other.goto(link)
    assert "This invitation was used already" in other.locator("h1").inner_text()
    assert "ask Lee Chen" in other.locator("main").inner_text()
    check_accessibility(other, axe_source, "used invitation link")
    other.context.close()

    # She forgets her password: "Forgot your password?" sends a reset link by email, which works once.
    ana.get_by_role("button", name="Sign out").click()
    ana.goto("/accounts/login/")
    ana.get_by_role("link", name="Forgot your password?").click()
    check_accessibility(ana, axe_source, "password reset request")
    ana.fill("#id_email", "ana@lakeview.example")
    ana.get_by_role("button", name="Email me a reset link").click()
    check_accessibility(ana, axe_source, "password reset sent")
    reset = mail_to(mail_delivery, "ana@lakeview.example", r"/accounts/password/reset/key/")
    [reset_link] = re.findall(r"https?://\S+/accounts/password/reset/key/\S+/", body(reset))
    ana.goto(reset_link)
    check_accessibility(ana, axe_source, "new password form")
    ana.fill("#id_password1", "lakeview-reads-again-8")
    ana.fill("#id_password2", "lakeview-reads-again-8")
    ana.get_by_role("button", name="Save my new password").click()
    ana.goto("/accounts/login/")
    ana.fill("#id_login", "ana@lakeview.example")
    ana.fill("#id_password", "lakeview-reads-again-8")
    ana.locator("#sign-in-button").click()
    ana.wait_for_url(f"{live_server.url}/")
    assert "Lakeview Unified" in ana.locator("h1").inner_text()

    # Asked to audit a product by a date that has passed: the periodic task reminds her by email, once.
    product = Product.objects.create(district=district, name="ReadAlong Stories")
    committee_services.request_audits(committee, product, [membership.user], Membership.objects.get(
        user__username="lakeview-admin").user, timezone.localdate() - timedelta(days=1))
    if uses_real_stack():
        notification_tasks.send_due_reminders.delay()  # as beat sends it, to the real worker
    else:
        notification_tasks.send_due_reminders()
    # In Spanish, the language her invitation chose: "Your audit of … is overdue".
    mail_to(mail_delivery, "ana@lakeview.example", r"Su auditoría de ReadAlong Stories para Reading circle está "
            r"vencida", seconds=60)
    ana.reload()
    assert ana.get_by_role("link", name=re.compile("Notifications")).count() == 1

    # The admin deactivates her.
    page.reload()
    page.get_by_role("link", name="Manage Ana Ruiz").click()
    check_accessibility(page, axe_source, "person page")
    page.get_by_role("link", name="Deactivate Ana Ruiz").click()
    check_accessibility(page, axe_source, "deactivate confirmation")
    page.get_by_role("button", name="Deactivate", exact=True).click()
    assert "Ana Ruiz is deactivated and signed out everywhere" in page.locator(".messages").inner_text()
    check_accessibility(page, axe_source, "person page, deactivated")

    # Her very next page load is the sign-in page.
    ana.reload()
    assert "/accounts/login/" in ana.url
    check_accessibility(ana, axe_source, "sign-in page after deactivation")
    assert page.console_problems == [] and ana.console_problems == []
    ana_context.close()
