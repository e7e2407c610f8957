"""Autosave in a real browser while the server fails: PostgreSQL cut off from the live server by a real proxy.

The page must keep counting its answers as unsaved, say so truthfully (never "session ended"), try again with
growing waits, and save by itself once the database is back.
"""

import pytest
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from audits.models import Answer, Audit
from rubrics.selectors import current_version_for, version_structure
from tests.realstack import database_through_a_proxy

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def through_a_proxy(real_stack):
    with database_through_a_proxy() as proxy:
        yield proxy


def test_autosave_keeps_its_unsaved_flag_and_retries_while_the_server_fails_then_saves(
        through_a_proxy, page, browser_leader):
    from products.models import Product

    district = browser_leader.membership.district
    product = Product.objects.create(district=district, name="StoryPath", vendor="Open Shelf",
                                     created_by=browser_leader)
    version = current_version_for(district)
    audit = Audit.objects.create(district=district, product=product, rubric_version=version, auditor=browser_leader)
    question = version_structure(version)[0].questions.all()[0]
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
