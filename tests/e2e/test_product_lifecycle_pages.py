"""In a browser, with axe on every new page: a district admin imports an inventory from an XLSX file, archives a
product, publishes the families' page and a family reads it in Spanish (and on paper); a leader deletes a draft
and takes it back."""

import datetime
import io
import re

import pytest
from openpyxl import Workbook

from assetlens.models import District, Membership
from audits.models import Audit
from committees.models import Committee, Decision
from products.models import Product, ToolRequest, Validation
from rubrics.selectors import current_version_for
from tests.conftest import make_user

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def inventory_xlsx(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    for row in (["name", "vendor", "website", "grade bands", "what it is for", "status"],
                ["ReadAlong Stories", "Open Shelf", "https://readalong.example", "K-2, adult", "Bilingual books", ""],
                ["MathSprint", "Sprint Learning", "mathsprint.example", "3-5", "Math practice", ""],
                ["Old Quiz", "Legacy", "not a web address", "", "", ""]):
        sheet.append(row)
    path = tmp_path / "inventory.xlsx"
    workbook.save(path)
    return path


@pytest.fixture
def lakeview(db):
    district = District.objects.create(name="Lakeview Unified", slug="lakeview")
    admin = make_user("lakeview-admin", district, Membership.Role.DISTRICT_ADMIN, first_name="Lee")
    leader = make_user("lakeview-leader", district, Membership.Role.LEADER, first_name="Rosa")
    return district, admin, leader


def test_admin_imports_archives_and_publishes_and_a_family_reads_it_in_spanish(page, axe_source, spanish_messages,
                                                                              lakeview, tmp_path):
    district, admin, _ = lakeview
    sign_in(page, "lakeview-admin")
    page.goto("/products/import/")
    check_accessibility(page, axe_source, "import page")

    # A file with a bad row: the preview names it and nothing is imported.
    page.set_input_files("#id_file", str(inventory_xlsx(tmp_path)))
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_url(re.compile(r"/products/import/\d+/$"))
    check_accessibility(page, axe_source, "import preview with errors")
    assert "row 4: website is not a web address" in page.locator("#error-summary").inner_text()
    assert not Product.objects.filter(district=district).exists()

    # The corrected file imports whole.
    workbook = Workbook()
    for row in (["name", "vendor", "website", "grade bands"], ["ReadAlong Stories", "Open Shelf", "readalong.example",
                                                               "K-2"], ["MathSprint", "Sprint", "", "3-5"]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    page.goto("/products/import/")
    page.set_input_files("#id_file", files=[{"name": "fixed.xlsx", "mimeType": "application/octet-stream",
                                             "buffer": buffer.getvalue()}])
    page.get_by_role("button", name="Preview the import").click()
    page.get_by_role("button", name="Import these products").click()
    page.wait_for_load_state()
    check_accessibility(page, axe_source, "imported")
    assert Product.objects.filter(district=district).count() == 2

    # Archive MathSprint after confirming.
    math = Product.objects.get(district=district, name="MathSprint")
    page.goto(f"/products/{math.pk}/archive/")
    check_accessibility(page, axe_source, "archive confirmation")
    page.get_by_role("button", name="Archive the product").click()
    page.wait_for_url(re.compile(r"/products/$"))
    assert "MathSprint" not in page.locator("table").inner_text()

    # The committee adopted ReadAlong; its summary for families is written, and the page published.
    readalong = Product.objects.get(district=district, name="ReadAlong Stories")
    committee = Committee.objects.create(district=district, name="Reading")
    Decision.objects.create(committee=committee, product=readalong, outcome="adopt", status="carried",
                            decided_on=datetime.date(2026, 9, 14), rationale="Internal notes")
    page.goto(f"/products/{readalong.pk}/families/")
    check_accessibility(page, axe_source, "what families see")
    page.check("#id_show_to_families")
    page.fill("#id_family_summary", "Children read stories in the languages their families speak.")
    page.fill("#id_family_summary_es", "Los niños leen cuentos en los idiomas que hablan sus familias.")
    page.get_by_role("button", name="Save").click()
    page.goto("/products/families-page/")
    check_accessibility(page, axe_source, "families' page settings")
    page.check("#id_published")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    family = page.context.browser.new_context(base_url=page.url.split("/products")[0])
    public = family.new_page()
    try:
        public.goto("/d/lakeview/tools/")
        check_accessibility(public, axe_source, "families' page")
        public.get_by_role("link", name="Español").click()
        public.wait_for_load_state()
        assert public.locator("html").get_attribute("lang") == "es"
        assert "Los niños leen cuentos" in public.locator("main").inner_text()
        assert "Internal notes" not in public.content()
        check_accessibility(public, axe_source, "families' page in Spanish")
        public.get_by_role("link", name="ReadAlong Stories").click()
        public.wait_for_load_state()
        check_accessibility(public, axe_source, "one tool, in Spanish")
        public.emulate_media(media="print")
        assert not public.get_by_role("link", name="English").is_visible()  # the paper copy is just the list
    finally:
        family.close()
    assert page.console_problems == []


def test_leader_deletes_a_draft_after_confirming_and_takes_it_back(page, axe_source, lakeview):
    district, _, leader = lakeview
    product = Product.objects.create(district=district, name="FamilyBridge")
    draft = Audit.objects.create(district=district, product=product, rubric_version=current_version_for(district),
                                 auditor=leader)
    sign_in(page, "lakeview-leader")
    page.goto(f"/products/{product.pk}/")
    page.get_by_role("link", name="Delete your draft").click()
    check_accessibility(page, axe_source, "delete confirmation")
    page.get_by_role("button", name="Delete the draft").click()
    page.wait_for_url(re.compile(rf"/products/{product.pk}/$"))
    check_accessibility(page, axe_source, "product page with undo")
    page.get_by_role("button", name="Undo: bring the draft back").click()
    page.wait_for_url(re.compile(rf"/audits/{draft.pk}/section/1/$"))
    assert Audit.objects.filter(pk=draft.pk).exists()
    assert page.console_problems == []


def test_validations_and_requests_pages_pass_axe(page, axe_source, lakeview):
    district, _, leader = lakeview
    product = Product.objects.create(district=district, name="FamilyBridge")
    Validation.objects.create(district=district, product=product, kind="privacy_agreement",
                              link="https://dpa.example/fb.pdf", issued_on=datetime.date.today(),
                              expires_on=datetime.date.today() + datetime.timedelta(days=20))
    sign_in(page, "lakeview-leader")
    page.goto(f"/products/{product.pk}/validations/")
    check_accessibility(page, axe_source, "certifications and agreements")
    page.get_by_role("button", name="Record it").click()  # empty: errors announced and linked
    page.wait_for_load_state()
    check_accessibility(page, axe_source, "certifications form with errors")
    page.goto("/products/validations/expiring/")
    check_accessibility(page, axe_source, "due for re-review")
    assert "FamilyBridge" in page.locator("main").inner_text()

    page.goto("/requests/new/")
    check_accessibility(page, axe_source, "request a tool")
    page.fill("#id_name", "StoryWeaver")
    page.fill("#id_why", "Books in the languages our families speak")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url(re.compile(r"/requests/$"))
    check_accessibility(page, axe_source, "requests")
    page.goto(f"/requests/{ToolRequest.objects.get().pk}/")
    check_accessibility(page, axe_source, "a request, for a leader")
    assert page.console_problems == []
