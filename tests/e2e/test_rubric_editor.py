"""A district admin adopts the shared rubric, adds a local question, previews and publishes it, in a real browser.

Every page on the way is checked with axe-core for WCAG 2.2 AA, and the error states too.
"""

import pytest

from assetlens.models import Membership
from rubrics.models import Question, RubricVersion
from tests.conftest import make_user

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_admin(browser_leader):
    district = browser_leader.membership.district
    return make_user("lakeview-admin", district, Membership.Role.DISTRICT_ADMIN, first_name="Ana", last_name="Ruiz")


def test_district_admin_adopts_adds_a_local_question_previews_and_publishes(page, axe_source, browser_admin):
    sign_in(page, "lakeview-admin")
    page.get_by_role("link", name="Rubrics").click()
    check_accessibility(page, axe_source, "rubric list")

    page.get_by_role("link", name="Asset-based design").click()
    check_accessibility(page, axe_source, "rubric detail")
    page.get_by_role("link", name="Adopt as my district's rubric").click()
    page.fill("#id_name", "Lakeview asset-based design")
    page.get_by_role("button", name="Adopt and start editing").click()
    check_accessibility(page, axe_source, "draft editor")

    page.locator("#criteria summary").first.click()  # criteria are folded: open the first one's questions
    page.get_by_role("link", name="Add a question to Problem framing").click()
    page.fill("#id_question-prompt", "Which of our families' home languages does the product welcome?")
    for i, (label, descriptor) in enumerate([("Not yet", "English only"), ("Some", "Two languages"),
                                              ("Many", "Many languages, chosen by families")]):
        page.fill(f"#id_levels-{i}-label", label)
        page.fill(f"#id_levels-{i}-descriptor", descriptor)
    page.fill("#id_levels-2-value", "3")  # a gap: 0, 1, 3
    page.get_by_role("button", name="Save question").click()
    alert = page.locator("#error-summary")
    assert "without gaps" in alert.inner_text()
    check_accessibility(page, axe_source, "question form with an error")
    assert page.input_value("#id_question-prompt").startswith("Which of our families'")
    page.fill("#id_levels-2-value", "2")
    page.get_by_role("button", name="Save question").click()
    assert Question.objects.filter(prompt__startswith="Which of our families'").count() == 1

    page.get_by_role("link", name="Preview as a leader sees it").click()
    assert page.get_by_text("Which of our families' home languages does the product welcome?").is_visible()
    check_accessibility(page, axe_source, "preview")
    page.get_by_role("link", name="Back to the version").first.click()
    page.get_by_role("link", name="What changed").first.click()
    check_accessibility(page, axe_source, "diff")
    page.get_by_role("link", name="Back to the version").click()
    page.get_by_role("link", name="Publish this version").click()
    assert "Every new audit in Lakeview Unified starts on this version" in page.locator("main").inner_text()
    check_accessibility(page, axe_source, "publish confirmation")
    page.get_by_role("button", name="Publish version 1").click()
    assert page.get_by_text("is published").first.is_visible()
    assert RubricVersion.objects.get(rubric__name="Lakeview asset-based design").status == "published"
    assert not page.console_problems, page.console_problems


def test_import_errors_are_announced_and_linked(page, axe_source, browser_admin, tmp_path):
    bad = tmp_path / "rubric.json"
    bad.write_text('{"format": "assetlens-rubric/1", "name": "Broken", "criteria": []}')
    sign_in(page, "lakeview-admin")
    page.goto("/rubrics/import/")
    check_accessibility(page, axe_source, "import")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Check and import").click()
    assert "criteria: must be a non-empty list" in page.locator("[role=alert]").inner_text()
    check_accessibility(page, axe_source, "import with errors")


def test_leader_moves_a_draft_audit_to_the_newest_rubric(page, axe_source, browser_leader):
    from audits.models import Answer, Audit
    from products.models import Product
    from rubrics import selectors, services

    district = browser_leader.membership.district
    v1 = selectors.current_version_for(district)
    product = Product.objects.create(district=district, name="FamilyBridge", created_by=browser_leader)
    audit = Audit.objects.create(district=district, product=product, rubric_version=v1, auditor=browser_leader)
    for question in Question.objects.filter(criterion__version=v1):
        Answer.objects.create(audit=audit, question=question, level=2, notes="Seen on the family page")
    v2 = services.start_draft(v1.rubric)
    reworded = Question.objects.filter(criterion__version=v2).order_by("criterion__order", "order").first()
    reworded.prompt = "How does the product describe the problem it helps with?"
    reworded.save()
    services.publish(v2)

    sign_in(page, "lakeview-leader")
    page.goto(f"/audits/{audit.pk}/review/")
    page.get_by_role("link", name="See what would change").click()
    check_accessibility(page, axe_source, "version move")
    assert "How does the product describe the problem it helps with?" in page.locator("main").inner_text()
    page.get_by_role("button", name="Move to the newest rubric").click()
    assert "answers came with you" in page.locator(".messages").inner_text()
    check_accessibility(page, axe_source, "review after the move")
    assert Audit.objects.get(pk=audit.pk).rubric_version_id == v2.pk
    assert not page.console_problems, page.console_problems


def test_keyboard_and_drag_reorder_without_a_reload(page, axe_source, browser_admin):
    from rubrics import selectors, services
    from rubrics.models import Criterion

    district = browser_admin.membership.district
    shared = selectors.current_version_for(district)
    draft = services.adopt(shared.rubric, district, "Lakeview asset-based design")
    criteria = list(Criterion.objects.filter(version=draft).order_by("order"))
    first, second = criteria[0], criteria[1]

    sign_in(page, "lakeview-admin")
    page.goto(f"/rubrics/versions/{draft.pk}/")
    check_accessibility(page, axe_source, "draft editor with folded criteria")
    page.evaluate("() => { window.notReloaded = true; }")

    # Keyboard only: focus "Move down" of the first criterion and press Enter.
    page.get_by_role("button", name=f"Move down {first.title}", exact=True).focus()
    page.keyboard.press("Enter")
    status = page.locator("#reorder-status")
    status.filter(has_text=f"Moved to place 2 of {len(criteria)}.").wait_for(state="attached")
    assert page.evaluate("() => window.notReloaded === true"), "the page reloaded"
    assert list(Criterion.objects.filter(version=draft).order_by("order").values_list("pk", flat=True))[:2] == \
        [second.pk, first.pk]
    section_ids = page.locator("#criteria > section").evaluate_all("els => els.map(e => e.id)")
    assert section_ids[:2] == [f"criterion-{second.pk}", f"criterion-{first.pk}"]
    # The keyboard stays on the moved criterion, and its numbers and end buttons follow the new order.
    focused = page.evaluate("() => document.activeElement.closest('section').id")
    assert focused == f"criterion-{first.pk}"
    assert page.locator(f"#criterion-{first.pk}-title [data-position]").inner_text() == "2"
    assert page.get_by_role("button", name=f"Move up {first.title}", exact=True).is_visible()
    assert not page.get_by_role("button", name=f"Move up {second.title}", exact=True).is_visible()

    # Drag and drop (a mouse): the third criterion onto the first place.
    third = criteria[2]
    page.locator(f"#criterion-{third.pk}").drag_to(page.locator(f"#criterion-{second.pk}"))
    status.filter(has_text=f"Moved to place 1 of {len(criteria)}.").wait_for(state="attached")
    assert list(Criterion.objects.filter(version=draft).order_by("order").values_list("pk", flat=True))[:3] == \
        [third.pk, second.pk, first.pk]

    # Open a criterion's questions from the keyboard and move its second question up.
    summary = page.locator(f"#criterion-{first.pk} summary")
    summary.focus()
    page.keyboard.press("Enter")
    questions = list(first.questions.order_by("order"))
    question_button = page.locator(f"#question-{questions[1].pk} [data-direction=up] button")
    question_button.focus()
    page.keyboard.press("Enter")
    status.filter(has_text=f"Moved to place 1 of {len(questions)}.").wait_for(state="attached")
    assert list(first.questions.order_by("order").values_list("pk", flat=True))[:2] == \
        [questions[1].pk, questions[0].pk]

    assert page.evaluate("() => window.notReloaded === true"), "the page reloaded"
    # Read the page at rest: Bootstrap fades a button's colours for 0.15 s after hover or a press, and axe can
    # otherwise sample a colour halfway through that fade on a busy machine.
    page.mouse.move(0, 0)
    page.emulate_media(reduced_motion="reduce")
    check_accessibility(page, axe_source, "draft editor after moves")
    assert not page.console_problems, page.console_problems
