"""The life of a product in a district, in one browser journey (issue 15): a district admin imports an inventory,
a leader reads the vendor's families page from its address and sees its findings, the committee's decision is
published on the families' page and a family reads it in Spanish; then the vendor's page changes, "Check now"
notices it, and the leader starts a re-audit from the old one. axe-core checks every page on the way.

The vendor's site is a real HTTP server on loopback (tests/vendorpages/vendorserver.py), allowed by the test
setting; reads run in-process after each request commits."""

import datetime
import io
import re

import pytest
from openpyxl import Workbook

from assetlens.models import District, Membership
from committees.models import Committee, Decision
from products.models import Product
from rubrics.selectors import current_version_for
from tests.audits.helpers import scored_audit
from tests.conftest import make_user
from tests.vendorpages.vendorserver import VendorSite

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vendor_site(settings):
    site = VendorSite()
    settings.VENDORPAGES_ALLOWED_HOSTS = [site.host]
    yield site
    site.stop()


def inventory(*rows):
    workbook = Workbook()
    for row in (["name", "vendor", "website", "grade bands", "what it is for"], *rows):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"name": "inventory.xlsx", "mimeType": "application/octet-stream", "buffer": buffer.getvalue()}


def test_import_read_the_vendor_page_publish_the_decision_then_notice_the_change_and_reaudit(
        page, browser, axe_source, spanish_messages, vendor_site, live_server, shared_rubric_reloaded):
    district = District.objects.create(name="Lakeview Unified", slug="lakeview")
    make_user("lakeview-admin", district, Membership.Role.DISTRICT_ADMIN, first_name="Lee")
    leader = make_user("lakeview-leader", district, Membership.Role.LEADER, first_name="Rosa")

    # The admin imports the district's inventory.
    sign_in(page, "lakeview-admin")
    page.goto("/products/import/")
    page.set_input_files("#id_file", files=[inventory(
        ["ReadAlong Stories", "Open Shelf", "readalong.example", "K-2", "Bilingual read-aloud books"],
        ["MathSprint", "Sprint Learning", "mathsprint.example", "3-5", "Math practice"])])
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_url(re.compile(r"/products/import/\d+/$"))
    check_accessibility(page, axe_source, "import preview")
    page.get_by_role("button", name="Import these products").click()
    page.wait_for_load_state()
    readalong = Product.objects.get(district=district, name="ReadAlong Stories")
    assert Product.objects.filter(district=district).count() == 2
    page.get_by_role("button", name="Sign out").click()

    # A leader reads the vendor's families page from its address and sees what the copy reader found.
    scored_audit(readalong, current_version_for(district), leader, level=3)
    sign_in(page, "lakeview-leader")
    page.goto(f"/products/{readalong.pk}/")
    page.get_by_role("link", name="Add a vendor page").click()
    page.get_by_label("Kind of page").select_option("families")
    page.get_by_label("Page address").fill(vendor_site.url("/families"))
    page.get_by_role("button", name="Add and read the page").click()
    assert "Last read" in page.locator("#vendor-pages").inner_text()
    check_accessibility(page, axe_source, "product page with its vendor page read")
    page.locator("#vendor-pages").get_by_role("link", name="Page for families").click()
    assert "builds on the languages" in page.locator("main").inner_text()
    check_accessibility(page, axe_source, "the vendor page's reading")

    # The committee adopted it; the admin writes what families see and publishes the families' page.
    Decision.objects.create(committee=Committee.objects.create(district=district, name="Reading"), product=readalong,
                            outcome="adopt", decided_on=datetime.date(2026, 9, 14), rationale="Internal notes",
                            status="carried")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "lakeview-admin")
    page.goto(f"/products/{readalong.pk}/families/")
    page.check("#id_show_to_families")
    page.fill("#id_family_summary", "Children read stories in the languages their families speak.")
    page.fill("#id_family_summary_es", "Los niños leen cuentos en los idiomas que hablan sus familias.")
    page.get_by_role("button", name="Save").click()
    page.goto("/products/families-page/")
    page.check("#id_published")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    # A family, signed out, reads it in Spanish: the decision's date and the summary, nothing internal.
    family = browser.new_context(base_url=live_server.url)
    public = family.new_page()
    try:
        public.goto("/d/lakeview/tools/")
        public.get_by_role("link", name="Español").click()
        public.wait_for_load_state()
        text = public.locator("main").inner_text()
        assert public.locator("html").get_attribute("lang") == "es"
        assert "ReadAlong Stories" in text and "Los niños leen cuentos" in text
        assert "Internal notes" not in public.content() and "MathSprint" not in text
        check_accessibility(public, axe_source, "families' page in Spanish")
    finally:
        family.close()

    # The vendor changes the page; the leader's "Check now" notices, and she starts a re-audit from her audit.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "lakeview-leader")
    vendor_site.set_version(2)
    page.goto(f"/products/{readalong.pk}/")
    page.get_by_role("button", name="Check now").click()
    assert "The vendor's copy changed on" in page.locator("#vendor-pages").inner_text()
    page.goto("/")
    assert "Vendor copy changed since your audit" in page.locator("main").inner_text()
    page.get_by_role("link", name=re.compile("Notifications")).click()  # and told in her notifications
    assert "copy of ReadAlong Stories changed since your audit" in page.locator("main").inner_text()
    check_accessibility(page, axe_source, "notifications")
    page.goto("/")
    page.get_by_role("link", name="See what changed").click()
    diff = page.locator(".vp-diff").inner_text()
    assert "Added:" in diff and "Removed:" in diff
    check_accessibility(page, axe_source, "what changed")
    page.get_by_role("button", name="Start a re-audit from your last audit").click()
    assert "Carried over from your earlier audit" in page.locator("main").inner_text()
    check_accessibility(page, axe_source, "the re-audit's first section")
    assert page.console_problems == []
