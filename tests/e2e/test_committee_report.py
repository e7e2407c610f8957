"""A committee member watches a comparison report being built and reads it, in a real browser."""

import pytest
from playwright.sync_api import expect

from assetlens.models import Membership
from audits import tasks
from audits.models import Audit
from committees import selectors as committee_selectors
from committees import tasks as committee_tasks
from committees.models import Committee, CommitteeMember, ComparisonReport
from products.models import Product
from rubrics.selectors import current_version_for
from tests.audits.helpers import answered_audit
from tests.conftest import make_user

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_report(browser_leader):
    """A report waiting for a worker (nothing enqueued), so the test decides when the "worker" runs."""
    district = browser_leader.membership.district
    member = make_user("lakeview-member", district, Membership.Role.COMMITTEE_MEMBER, first_name="Ade")
    committee = Committee.objects.create(district=district, name="K-5 reading", purpose="K-5 reading supplement")
    CommitteeMember.objects.create(committee=committee, user=member)
    version = current_version_for(district)
    products = []
    for name, level in (("ReadAlong Stories", 4), ("MathSprint", 1)):
        product = Product.objects.create(district=district, name=name, marketing_copy="Families read together.")
        audit = answered_audit(product, version, browser_leader, level=level)
        Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
        tasks.score_submitted_audit(audit.pk)
        products.append(product)
    report = ComparisonReport.objects.create(district=district, committee=committee, requested_by=member)
    report.products.set(products)
    report.audits.set(committee_selectors.comparable_audits(district, products))
    return report


def test_the_report_page_shows_progress_and_turns_into_the_report_without_a_reload(page, axe_source, queued_report):
    sign_in(page, "lakeview-member")
    page.goto(f"/reports/{queued_report.pk}/")
    expect(page.locator("#report-progress-bar")).to_be_visible()
    check_accessibility(page, axe_source, "report being built")
    page.evaluate("() => { window.stillTheSamePage = true; }")

    assert committee_tasks.build(queued_report.pk) == "built"  # the worker's part, done from here

    expect(page.get_by_role("heading", name="Criteria side by side")).to_be_visible(timeout=20_000)
    assert page.evaluate("() => window.stillTheSamePage === true"), "the page reloaded instead of updating itself"
    expect(page.locator("svg.report-chart title")).to_have_text("Criterion scores by product")
    check_accessibility(page, axe_source, "finished report")
    assert page.console_problems == []


def test_a_failed_build_turns_into_an_alert_with_try_again(page, axe_source, queued_report):
    sign_in(page, "lakeview-member")
    page.goto(f"/reports/{queued_report.pk}/")
    committee_tasks.claim(queued_report.pk)
    committee_tasks.mark_failed(queued_report.pk, "The worker lost its database connection.")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The worker lost its database connection.", timeout=20_000)
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    check_accessibility(page, axe_source, "failed report")

    page.get_by_role("button", name="Try again").click()
    # In-process tasks: the retry builds the report before the page comes back.
    expect(page.get_by_role("heading", name="Criteria side by side")).to_be_visible(timeout=20_000)
    assert page.console_problems == []


def test_committee_pages_meet_wcag_22_aa(page, axe_source, queued_report, browser_leader):
    committee_tasks.build(queued_report.pk)
    sign_in(page, "lakeview-member")
    for url in ("/committees/", f"/committees/{queued_report.committee_id}/",
                f"/committees/{queued_report.committee_id}/compare/"):
        page.goto(url)
        check_accessibility(page, axe_source, url)
    page.goto(f"/committees/{queued_report.committee_id}/compare/")
    page.get_by_role("button", name="Build the comparison").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least 2 products")
    check_accessibility(page, axe_source, "comparison form with an error")
    assert page.console_problems == []
