"""The audit form by keyboard alone, visible focus, announced and linked errors, and the language switcher."""

import re

import pytest

from assetlens.models import District, Membership
from audits.models import Answer, Audit
from products.models import Product
from rubrics.selectors import current_version_for, version_structure
from tests.conftest import make_user

from .conftest import check_accessibility, choose_language, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), name: el.name || "", value: el.value || "", id: el.id,
          text: (el.textContent || "").trim(),
          checked: !!el.checked, outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0};
}"""


@pytest.fixture
def draft(browser_leader):
    """A draft audit of a product, with every section after the first already answered at level 2."""
    district = browser_leader.membership.district
    product = Product.objects.create(district=district, name="FamilyBridge", created_by=browser_leader)
    version = current_version_for(district)
    audit = Audit.objects.create(district=district, product=product, rubric_version=version, auditor=browser_leader)
    criteria = version_structure(version)
    for criterion in criteria[1:]:
        for question in criterion.questions.all():
            Answer.objects.create(audit=audit, question=question, level=2)
    return audit, criteria


def tab_to(page, predicate, limit=60):
    """Press Tab until `predicate(focused)` holds; every stop on the way must show a visible focus outline."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["outline"] != "none" and focused["outlineWidth"] >= 2, f"focus is not visible on {focused}"
        if predicate(focused):
            return focused
    pytest.fail("Tab never reached the control it should")


def test_leader_completes_a_section_and_submits_the_audit_with_the_keyboard_alone(page, axe_source, draft):
    audit, criteria = draft
    sign_in(page, "lakeview-leader")
    page.goto(f"/audits/{audit.pk}/section/1/")
    check_accessibility(page, axe_source, "section 1")

    questions = list(criteria[0].questions.all())
    for question in questions:
        name = f"q{question.id}-level"
        focused = tab_to(page, lambda f, name=name: f["name"] == name)
        assert focused["value"] == "0"  # no level chosen yet: Tab lands on the first level
        page.keyboard.press("Space")  # choose level 0 …
        for _ in range(3):
            page.keyboard.press("ArrowDown")  # … and arrow down to level 3
        focused = page.evaluate(FOCUSED)
        assert focused["name"] == name and focused["value"] == "3" and focused["checked"]

    tab_to(page, lambda f: f["tag"] == "button" and f["value"] == "next")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/section/2/$"))
    saved = dict(Answer.objects.filter(audit=audit, question__in=questions).values_list("question_id", "level"))
    assert saved == {q.id: 3 for q in questions}

    page.goto(f"/audits/{audit.pk}/review/")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Submit for scoring")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"/result/$"))
    page.locator("#overall-score").wait_for(timeout=60_000)
    assert Audit.objects.get(pk=audit.pk).status == Audit.Status.SCORED
    assert page.console_problems == []


def test_an_error_is_announced_at_the_top_links_to_its_field_and_keeps_what_was_typed(page, axe_source, draft):
    audit, criteria = draft
    question = criteria[0].questions.all()[0]
    sign_in(page, "lakeview-leader")
    page.goto(f"/audits/{audit.pk}/section/1/")
    page.locator(f"label[for=q{question.id}-level-4]").click()
    page.locator(f"#q-{question.id} summary").click()
    page.fill(f"#id_q{question.id}-notes", "Their about page starts from home languages.")
    page.fill(f"#id_q{question.id}-url", "the vendor's about page")
    page.get_by_role("button", name="Save and continue").click()

    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("() => document.activeElement.id") == "error-summary"  # read out first
    link = summary.get_by_role("link")
    assert "Enter a full web address" in link.inner_text()
    assert link.get_attribute("href") == f"#id_q{question.id}-url"
    field = page.locator(f"#id_q{question.id}-url")
    assert field.get_attribute("aria-invalid") == "true"
    described_by = field.get_attribute("aria-describedby") or ""
    assert f"id_q{question.id}-url_error" in described_by.split()
    assert "Enter a full web address" in page.locator(f"#id_q{question.id}-url_error").inner_text()
    # Nothing typed is lost: the bad link, the notes and the chosen level are all still there.
    assert field.input_value() == "the vendor's about page"
    assert page.input_value(f"#id_q{question.id}-notes") == "Their about page starts from home languages."
    assert page.locator(f"#q{question.id}-level-4").is_checked()
    check_accessibility(page, axe_source, "section 1 with an error")

    link.click()
    assert page.evaluate("() => document.activeElement.id") == f"id_q{question.id}-url"
    assert page.console_problems == []


def test_language_switcher_remembers_spanish_across_pages_and_sign_in(page, axe_source, spanish_messages, db):
    home = District.objects.create(name="Distrito Sol", slug="sol")
    make_user("sol-leader", home, Membership.Role.LEADER)

    page.goto("/accounts/login/")
    assert page.locator("h1").inner_text() == "Sign in to AssetLens"
    choose_language(page, "es")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "Inicie sesión en AssetLens"
    assert any(c["name"] == "django_language" and c["value"] == "es" for c in page.context.cookies())

    sign_in(page, "sol-leader")
    assert page.get_by_role("link", name="Productos", exact=True).is_visible()
    page.get_by_role("link", name="Productos", exact=True).click()
    assert page.locator("h1").inner_text() == "Productos"
    assert page.locator("#language-select").input_value() == "es"
    check_accessibility(page, axe_source, "product list in Spanish")

    choose_language(page, "en")
    assert page.locator("h1").inner_text() == "Products"  # back on the same page, in English
    assert page.console_problems == []
