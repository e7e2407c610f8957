"""Autosave in a real browser while the server fails: PostgreSQL cut off from the live server by a real proxy.

The page must keep counting its answers as unsaved, say so truthfully (never "session ended"), try again with
growing waits, and save by itself once the database is back.
"""

import pytest
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from audits.models import Answer, Audit
from products.models import Product
from rubrics.selectors import current_version_for, version_structure
from tests.realstack import database_through_a_proxy

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def through_a_proxy(real_stack):
    with database_through_a_proxy() as proxy:
        yield proxy


def draft_for(leader):
    district = leader.membership.district
    product = Product.objects.create(district=district, name="StoryPath", vendor="Open Shelf", created_by=leader)
    version = current_version_for(district)
    audit = Audit.objects.create(district=district, product=product, rubric_version=version, auditor=leader)
    return audit, version_structure(version)[0].questions.all()[0]


def test_autosave_keeps_its_unsaved_flag_and_retries_while_the_server_fails_then_saves(
        through_a_proxy, page, browser_leader):
    audit, question = draft_for(browser_leader)
    sign_in(page, "lakeview-leader")
    page.goto(reverse("audit_section", args=[audit.pk, 1]))
    form, status = page.locator("#audit-section-form"), page.locator("#autosave-status")

    through_a_proxy.cut()
    page.locator(f"#q-{question.id} details summary").click()
    page.fill(f"#id_q{question.id}-notes", "Typed while the database was away.")
    expect(form).to_have_attribute("data-autosave-retries", "2", timeout=20_000)  # tried, failed, tried again
    expect(form).to_have_attribute("data-unsaved", "1")
    expect(status).to_have_text(status.get_attribute("data-say-offline"))

    through_a_proxy.restore()
    connection.close()  # this test's own connection was reset by the cut
    expect(form).not_to_have_attribute("data-unsaved", "1", timeout=30_000)
    expect(status).to_have_text(status.get_attribute("data-say-saved"))
    assert Answer.objects.get(audit=audit, question=question).notes == "Typed while the database was away."
    # What the browser saw fail was the database being away, answered as such: 503s, never a 500.
    assert page.console_problems and all(problem.startswith("503 ") for problem in page.console_problems)


def test_signed_out_in_another_tab_autosave_says_the_session_ended_and_keeps_the_answers_unsaved(
        page, browser_leader):
    audit, question = draft_for(browser_leader)
    sign_in(page, "lakeview-leader")
    page.goto(reverse("audit_section", args=[audit.pk, 1]))
    other_tab = page.context.new_page()
    other_tab.goto("/")
    other_tab.locator("form[action='/accounts/logout/'] button").click()
    other_tab.wait_for_load_state()

    page.locator(f"#q-{question.id} details summary").click()
    page.fill(f"#id_q{question.id}-notes", "Typed after signing out elsewhere.")
    status = page.locator("#autosave-status")
    expect(status).to_have_text(status.get_attribute("data-say-session-ended"))
    expect(page.locator("#audit-section-form")).to_have_attribute("data-unsaved", "1")
    assert not Answer.objects.exists()


def test_signed_in_again_in_another_tab_autosave_asks_for_a_reload_and_the_answers_come_back(
        page, browser_leader):
    audit, question = draft_for(browser_leader)
    sign_in(page, "lakeview-leader")
    url = reverse("audit_section", args=[audit.pk, 1])
    page.goto(url)
    other_tab = page.context.new_page()
    other_tab.goto("/")
    other_tab.locator("form[action='/accounts/logout/'] button").click()
    other_tab.wait_for_load_state()
    sign_in(other_tab, "lakeview-leader")  # signed in again: the form's security token changed

    page.locator(f"#q-{question.id} details summary").click()
    page.fill(f"#id_q{question.id}-notes", "Typed before the token changed.")
    status = page.locator("#autosave-status")
    expect(status).to_have_text(status.get_attribute("data-say-reload"))
    expect(page.locator("#audit-section-form")).to_have_attribute("data-unsaved", "1")
    page.reload()
    expect(page.locator(f"#id_q{question.id}-notes")).to_have_value("Typed before the token changed.")


def test_saving_the_form_while_the_database_is_away_shows_the_answers_and_try_again_saves_them(
        through_a_proxy, page, browser_leader, axe_source):
    audit, question = draft_for(browser_leader)
    sign_in(page, "lakeview-leader")
    page.goto(reverse("audit_section", args=[audit.pk, 1]))

    through_a_proxy.cut()
    page.locator(f"#q-{question.id} details summary").click()
    page.fill(f"#id_q{question.id}-notes", "Sent with Save and continue while the database was away.")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("AssetLens cannot reach its database just now")
    expect(page.locator("#not-saved")).to_be_visible()
    expect(page.locator("#kept")).to_be_visible()
    expect(page.locator("#typed")).to_contain_text("Sent with Save and continue while the database was away.")
    check_accessibility(page, axe_source, "the page that says the database is away")

    through_a_proxy.restore()
    connection.close()  # this test's own connection was reset by the cut
    page.get_by_role("button", name="Try saving again").click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("audit_section", args=[audit.pk, 2]))
    assert Answer.objects.get(audit=audit, question=question).notes == (
        "Sent with Save and continue while the database was away.")
