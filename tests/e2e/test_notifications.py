"""Notifications in a browser: the header's count, the list, the settings and the unsubscribe pages, each meeting
WCAG 2.2 AA (axe-core), with a keyboard-reachable way to every choice."""

import pytest

from notifications import services, tokens
from notifications.models import Delivery, Kind, Preference

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_reads_their_notifications_and_chooses_their_emails(page, axe_source, browser_leader):
    district = browser_leader.membership.district
    # Through the service every hook uses, so the header's count moves as it does in use.
    services.save_preferences(browser_leader.id, {Kind.AUDIT_REQUESTS: Delivery.APP})
    recipients = services._recipients(district.id, [browser_leader.id])
    for i, (event, params) in enumerate((
            ("audit_requested", {"committee": "K-5 reading", "product": "ReadAlong", "due": "2027-03-10"}),
            ("comment_posted", {"committee": "K-5 reading", "person": "Sam Okafor", "excerpt": "Pilot first?"}))):
        services._notify(district.id, recipients, Kind.AUDIT_REQUESTS, event, params, "/committees/", f"e2e:{i}")
    sign_in(page, "lakeview-leader")
    page.goto("/")
    assert page.locator("header .badge").inner_text().startswith("2")
    check_accessibility(page, axe_source, "dashboard with unread notifications")

    page.locator("header").get_by_role("link", name="Notifications").click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_role("link", name="K-5 reading asks you to audit ReadAlong").is_visible()
    check_accessibility(page, axe_source, "notification list")
    # Seen now: the header no longer counts them, and the list still marks which were new.
    assert page.locator("header .badge").count() == 0 and page.locator("main .badge").count() == 2

    page.goto("/notifications/settings/")
    check_accessibility(page, axe_source, "notification settings")
    page.get_by_role("group", name="Comments on your committees' reports").get_by_label("In AssetLens only").check()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_load_state()
    assert Preference.objects.get(user=browser_leader, kind=Kind.COMMENTS).delivery == Delivery.APP
    assert page.console_problems == []


def test_the_unsubscribe_pages_work_signed_out_and_are_accessible(page, axe_source, browser_leader):
    page.goto(f"/notifications/unsubscribe/{tokens.make(browser_leader.pk, Kind.REPORTS)}/")
    check_accessibility(page, axe_source, "unsubscribe confirmation")
    page.get_by_role("button", name="Stop these emails").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Emails stopped").is_visible()
    check_accessibility(page, axe_source, "unsubscribed")
    assert Preference.objects.get(user=browser_leader).delivery == Delivery.APP

    page.goto("/notifications/unsubscribe/changed-by-hand/")
    assert page.get_by_role("heading", name="This unsubscribe link does not work").is_visible()
    check_accessibility(page, axe_source, "a changed unsubscribe link")
