"""Vendor pages in a real browser: add a page, watch it being read, see a failure's reason, see the change a
re-check notices with its diff, and start a re-audit from it; every state axe-clean (WCAG 2.2 AA).

The vendor's site is a real HTTP server on loopback (tests/vendorpages/vendorserver.py), allowed by the test
setting; the reads run in-process after each request commits."""

import pytest

from products.models import Product
from rubrics.selectors import current_version_for
from tests.audits.helpers import scored_audit
from tests.vendorpages.vendorserver import VendorSite
from vendorpages import tasks
from vendorpages.models import Snapshot, VendorPage

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vendor_site(settings):
    site = VendorSite()
    settings.VENDORPAGES_ALLOWED_HOSTS = [site.host]
    yield site
    site.stop()


@pytest.fixture
def product(browser_leader):
    district = browser_leader.membership.district
    product = Product.objects.create(district=district, name="ReadAlong", vendor="Open Shelf",
                                     created_by=browser_leader)
    scored_audit(product, current_version_for(district), browser_leader, level=3)
    return product


def test_a_leader_adds_a_page_sees_it_change_and_starts_a_reaudit(page, axe_source, product, vendor_site):
    sign_in(page, "lakeview-leader")
    page.goto(f"/products/{product.pk}/")
    check_accessibility(page, axe_source, "product page without vendor pages")
    page.get_by_role("link", name="Add a vendor page").click()
    check_accessibility(page, axe_source, "add a vendor page")
    page.get_by_label("Page address").fill("http://169.254.169.254/latest/meta-data/")
    page.get_by_role("button", name="Add and read the page").click()
    assert "a cloud metadata service" in page.locator("#error-summary").inner_text()
    check_accessibility(page, axe_source, "an address refused in the form")

    page.get_by_label("Kind of page").select_option("families")
    page.get_by_label("Page address").fill(vendor_site.url("/families"))
    page.get_by_role("button", name="Add and read the page").click()
    section = page.locator("#vendor-pages")
    assert "Last read" in section.inner_text()
    check_accessibility(page, axe_source, "product page with a read vendor page")
    section.get_by_role("link", name="Page for families").click()
    assert "builds on the languages" in page.locator("main").inner_text()
    check_accessibility(page, axe_source, "a vendor page's reading")

    vendor_site.set_version(2)
    page.goto(f"/products/{product.pk}/")
    page.get_by_role("button", name="Check now").click()
    assert "The vendor's copy changed on" in page.locator("#vendor-pages").inner_text()
    check_accessibility(page, axe_source, "product page after the copy changed")
    page.goto("/")
    assert "Vendor copy changed since your audit" in page.locator("main").inner_text()
    check_accessibility(page, axe_source, "dashboard with the change notice")
    page.get_by_role("link", name="See what changed").click()
    diff = page.locator(".vp-diff").inner_text()
    assert "Added:" in diff and "fall behind" in diff and "Removed:" in diff
    check_accessibility(page, axe_source, "what changed")

    page.get_by_role("button", name="Start a re-audit from your last audit").click()
    assert "Carried over from your earlier audit" in page.locator("main").inner_text()
    check_accessibility(page, axe_source, "a re-audit's first section")
    assert page.console_problems == []


def test_progress_shows_while_a_page_is_read_and_a_failure_says_why_with_a_retry(
        page, axe_source, product, vendor_site):
    vendor_page = VendorPage.objects.create(district=product.district, product=product,
                                            url=vendor_site.url("/brochure.pdf"))
    queued = Snapshot.objects.create(page=vendor_page, district=product.district)  # not sent to a worker yet
    sign_in(page, "lakeview-leader")
    page.goto(f"/products/{product.pk}/")
    assert "Reading the page now" in page.locator("[data-poll-status]").inner_text()
    check_accessibility(page, axe_source, "product page while a vendor page is read")
    assert tasks.run_fetch(queued.pk) == "not_html"  # the worker's turn
    page.wait_for_selector("text=Not read: not HTML.", timeout=30_000)  # the page updates by itself
    assert "not a web page (application/pdf)" in page.locator("#vendor-pages").inner_text()
    check_accessibility(page, axe_source, "product page with a failed read")
    page.get_by_role("button", name="Try again").click()
    assert Snapshot.objects.filter(page=vendor_page).count() == 2
    assert page.console_problems == []
