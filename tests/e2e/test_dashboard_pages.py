"""The dashboard in a browser: search and sort by keyboard, the drafts strip, the products view and the district
settings, axe clean at desktop and phone width, in English and Spanish."""

import re
from datetime import UTC, datetime

import pytest

from assetlens.models import District, Membership
from audits import tasks
from audits.models import Answer, Audit
from products.models import Product
from rubrics.selectors import current_version_for, version_structure
from tests.conftest import make_user

from .conftest import check_accessibility, choose_language, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def audits(browser_leader):
    district = browser_leader.membership.district
    District.objects.filter(pk=district.pk).update(time_zone="Europe/Madrid")
    version = current_version_for(district)
    questions = [q for c in version_structure(version) for q in c.questions.all()]
    for name, level in (("ReadAlong", 4), ("MathSprint", 1)):
        product = Product.objects.create(district=district, name=name, vendor="Open Shelf")
        audit = Audit.objects.create(district=district, product=product, rubric_version=version,
                                     auditor=browser_leader, status=Audit.Status.SUBMITTED)
        Answer.objects.bulk_create(Answer(audit=audit, question=q, level=level) for q in questions)
        tasks.score_submitted_audit(audit.pk)
        Audit.objects.filter(pk=audit.pk).update(updated_at=datetime(2026, 12, 3, 6, 28, tzinfo=UTC))
    draft_of = Product.objects.create(district=district, name="FamilyBridge")
    draft = Audit.objects.create(district=district, product=draft_of, rubric_version=version, auditor=browser_leader)
    Answer.objects.bulk_create(Answer(audit=draft, question=q, level=2)
                               for q in version_structure(version)[1].questions.all())
    return draft


@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_and_products_view_meet_wcag_aa_and_sort_by_keyboard(page, axe_source, audits, width):
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, "lakeview-leader")
    check_accessibility(page, axe_source, f"dashboard with drafts at {width} px")
    assert page.get_by_role("heading", name="My drafts").is_visible()
    continue_link = page.get_by_role("link", name=re.compile("Continue in section 3"))
    assert continue_link.get_attribute("href") == f"/audits/{audits.pk}/section/3/"
    assert page.locator("time", has_text="3 Dec 2026, 07:28 CET").count() == 2

    page.fill("#id_q", "open shelf")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    score = page.locator("th", has=page.get_by_role("link", name=re.compile("^Score")))
    score.get_by_role("link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=score"))
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Score")
    names = page.locator("tbody td:first-child a").all_inner_texts()
    assert names == ["MathSprint", "ReadAlong"]
    check_accessibility(page, axe_source, f"dashboard searched and sorted at {width} px")

    page.goto("/?changed_from=2026-02-31&sort=nope")
    assert page.locator("#error-summary").is_visible()
    check_accessibility(page, axe_source, f"dashboard with a bad date at {width} px")

    page.get_by_role("link", name="Products and their latest score").click()
    page.wait_for_load_state()
    assert page.get_by_role("cell", name="Asset-framed").is_visible()
    check_accessibility(page, axe_source, f"products view at {width} px")


def test_spanish_dashboard_and_district_settings_meet_wcag_aa(page, axe_source, audits, spanish_messages):
    district = District.objects.get(slug="lakeview")
    make_user("lakeview-admin", district, Membership.Role.DISTRICT_ADMIN)
    sign_in(page, "lakeview-admin")
    choose_language(page, "es")
    assert page.locator("time", has_text="3 dic 2026, 07:28 CET").count() == 2
    check_accessibility(page, axe_source, "dashboard in Spanish")
    page.goto("/by-product/")
    assert page.get_by_role("cell", name="Enfoque en fortalezas").is_visible()
    check_accessibility(page, axe_source, "products view in Spanish")
    page.goto("/settings/district/")
    check_accessibility(page, axe_source, "district settings in Spanish")
    page.select_option("#id_time_zone", "America/New_York")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "America/New York" in page.locator("main").inner_text()
    page.goto("/")
    assert page.locator("time", has_text="3 dic 2026, 01:28 EST").count() == 2
    assert page.console_problems == []
