"""On paper a page is its content: a result or a report prints without the menu, the forms or the buttons."""

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
