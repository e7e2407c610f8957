"""On paper a page is its content: a result or a report prints without the menu, the forms or the buttons."""

import re

import pytest

from products.models import Product
from rubrics.selectors import current_version_for
from tests.audits.helpers import scored_audit

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_result_prints_its_scores_and_answers_without_menu_forms_or_buttons(page, browser_leader):
    district = browser_leader.membership.district
    product = Product.objects.create(district=district, name="ReadAlong", created_by=browser_leader)
    audit = scored_audit(product, current_version_for(district), browser_leader, level=3)
    sign_in(page, browser_leader.username)
    page.goto(f"/audits/{audit.pk}/result/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible()
    assert not page.get_by_role("button", name="Sign out").is_visible()
    assert not page.locator("#language-select").is_visible()
    assert page.locator("#overall-score").is_visible() and page.locator("#strengths-heading").is_visible()


def test_a_result_with_its_chart_lists_and_vendor_questions_is_accessible_on_screen_and_on_paper(
        page, axe_source, spanish_messages, browser_leader):
    from audits.models import Answer

    from .conftest import check_accessibility

    district = browser_leader.membership.district
    product = Product.objects.create(district=district, name="ReadAlong", created_by=browser_leader)
    audit = scored_audit(product, current_version_for(district), browser_leader, level=lambda i: 4 if i < 3 else 1)
    opportunities = list(Answer.objects.filter(audit=audit, level=1).order_by("id").values_list("id", flat=True))
    Answer.objects.filter(id__in=opportunities[2:]).update(notes="")  # 15 of the 17 opportunities without evidence
    sign_in(page, browser_leader.username)
    page.goto(f"/audits/{audit.pk}/result/")
    assert page.locator("#overall-level").is_visible() and page.locator("svg.score-chart").is_visible()
    assert page.locator("#vendor-questions li").count() == 17
    assert page.locator("#opportunities-without-evidence li").count() == 15
    assert page.get_by_role("link", name="Download a one-page PDF").is_visible()
    check_accessibility(page, axe_source, "result page")
    page.screenshot(path="/tmp/result-screen.png", full_page=True)

    page.emulate_media(media="print")
    assert page.locator("svg.score-chart").is_visible() and page.locator("#vendor-questions").is_visible()
    assert not page.get_by_role("link", name="Download a one-page PDF").is_visible()
    page.emulate_media(media="screen")

    # The auditor adds evidence to a bare answer from its link, and is back on the result with it.
    page.locator("#opportunities-without-evidence a.add-evidence").first.click()
    page.wait_for_url(re.compile(r"/evidence/\d+/$"))
    check_accessibility(page, axe_source, "add evidence")
    page.get_by_label("Your notes").fill("Asked in the demo; the parent app has no Spanish.")
    page.get_by_role("button", name="Save the evidence").click()
    page.wait_for_url(re.compile(r"/result/$"))
    assert page.get_by_text("Asked in the demo; the parent app has no Spanish.").is_visible()

    page.context.add_cookies([{"name": "django_language", "value": "es", "url": page.url}])
    page.goto(f"/audits/{audit.pk}/result/")
    assert page.get_by_role("heading", name="Preguntas para el proveedor").is_visible()
    check_accessibility(page, axe_source, "result page in Spanish")
    assert page.console_problems == []
