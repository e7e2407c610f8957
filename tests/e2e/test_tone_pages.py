"""The copy review in a real browser: axe-clean, marks reachable by keyboard, progress announced while the
worker reads long copy, and the findings shown when it is done."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assetlens.cache import keep
from products import selectors as product_selectors
from products import services as product_services
from products import tasks as tone_tasks
from products import tone
from products.models import CopyReading, Product

from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

COPY = "We celebrate progress.\nDon't let your child fall behind! Only 3 spots left."


@pytest.fixture
def product(browser_leader):
    return Product.objects.create(district=browser_leader.membership.district, name="MathSprint",
                                  created_by=browser_leader, marketing_copy=COPY)


def test_leader_reads_the_review_and_follows_a_mark_to_its_explanation_by_keyboard(page, axe_source, product):
    sign_in(page, "lakeview-leader")
    page.goto(f"/products/{product.pk}/tone/")
    check_accessibility(page, axe_source, "copy review")
    page.locator("#mark-3 a").focus()  # "fall behind": its card
    page.keyboard.press("Enter")
    card = page.url.rsplit("#", 1)[1]
    assert card.startswith("card-")
    assert "Urgency and fear" in page.locator(f"#{card}").inner_text()
    assert page.console_problems == []


def test_progress_is_shown_and_announced_then_the_findings_appear_when_the_worker_is_done(
        page, axe_source, product, monkeypatch):
    long_copy = (COPY + "\n\n") * 400  # about 30,000 characters: read by the worker
    Product.objects.filter(pk=product.pk).update(marketing_copy=long_copy)
    key = product_selectors.reading_key(long_copy)
    monkeypatch.setattr(product_services, "_is_eager", lambda: False)  # as with a real worker
    monkeypatch.setattr(tone_tasks.analyse_product_copy, "delay", lambda reading_id: None)  # nobody picks it up yet
    # Where the worker is with it, as its progress updates write it.
    CopyReading.objects.create(district_id=product.district_id, product=product, key=key, status="running",
                               done=1, total=3, queued_at=timezone.now(), started_at=timezone.now(),
                               lease_until=timezone.now() + timedelta(minutes=5))
    sign_in(page, "lakeview-leader")
    page.goto(f"/products/{product.pk}/tone/")
    bar = page.locator("[role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "33"
    check_accessibility(page, axe_source, "copy review while the worker reads")

    CopyReading.objects.filter(product=product).update(done=2)
    page.wait_for_function("() => document.querySelector('[role=progressbar]').ariaValueNow === '66'")
    assert "66 percent read" in page.locator("#tone-progress-status").inner_text()

    keep(key, tone.analyse_in_chunks(long_copy))  # the worker keeps its reading, then says it is ready
    CopyReading.objects.filter(product=product).update(status="ready", done=3)
    page.wait_for_selector("#mark-1", timeout=20_000)
    # One card per phrase, each counted 400 times. The copy (400 paragraphs of 77 characters) is shown in parts
    # ending at a paragraph: 389 paragraphs fit in the first 30,000 characters, with 3 marks each.
    assert page.locator(".tone-card").count() == 3
    assert page.locator("mark.tone-deficit").count() == 3 * 389
    assert "part 1 of 2" in page.locator("#tone-copy-heading").inner_text()
    assert page.console_problems == []


def test_an_empty_paste_is_announced_and_linked_to_the_box(page, axe_source, browser_leader):
    sign_in(page, "lakeview-leader")
    page.goto("/tone/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    alert = page.locator("[role=alert]")
    assert "the box is empty" in alert.inner_text()
    assert alert.locator("a").get_attribute("href") == "#id_text"
    check_accessibility(page, axe_source, "empty paste")


def test_in_the_audit_copy_section_the_first_question_is_visible_without_scrolling_with_50_kb_of_copy(
        page, axe_source, browser_leader):
    from audits.models import Audit
    from products.selectors import COPY_CRITERION_KEY
    from rubrics.selectors import current_version_for, version_structure

    district = browser_leader.membership.district
    copy = ("Struggling readers lose ground every week. Don't let your child fall behind! "
            "We celebrate their progress.\n\n") * 470  # about 50 KB: read by the worker (here, in process)
    product = Product.objects.create(district=district, name="ReadAlong", created_by=browser_leader,
                                     marketing_copy=copy)
    version = current_version_for(district)
    audit = Audit.objects.create(district=district, product=product, rubric_version=version, auditor=browser_leader)
    criteria = version_structure(version)
    number = next(i for i, c in enumerate(criteria, start=1) if c.key == COPY_CRITERION_KEY)
    keep(product_selectors.reading_key(copy), tone.analyse_in_chunks(copy))
    CopyReading.objects.create(district=district, product=product, key=product_selectors.reading_key(copy),
                               status="ready")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "lakeview-leader")
    page.goto(f"/audits/{audit.pk}/section/{number}/")
    first = page.locator(".question-card").first
    box = first.bounding_box()
    assert box is not None and box["y"] < 800, box  # the first question starts on the first screen
    assert page.evaluate("() => window.scrollY") == 0
    # The reading sits beside it, collapsed: its summary opens on demand.
    details = page.locator("#tone-panel-heading ~ details")
    assert details.get_attribute("open") is None
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    assert page.evaluate("() => document.documentElement.scrollHeight") < 8_000
    check_accessibility(page, axe_source, "copy section with 50 KB of copy")
    assert page.console_problems == []


def test_a_leader_sets_a_phrase_aside_from_its_card_and_it_folds_away_with_its_reason(page, axe_source, product):
    sign_in(page, "lakeview-leader")
    page.goto(f"/products/{product.pk}/tone/")
    card = page.locator(".tone-card", has_text="fall behind")
    card.locator("summary").click()
    card.get_by_label("Why, in a sentence the committee will read").fill("There is no deadline in this offer.")
    card.get_by_role("button", name="Set aside as not deficit framing here").click()
    page.wait_for_selector("#tone-set-aside")
    assert page.locator(".tone-card", has_text="fall behind").count() == 0
    folded = page.locator("#tone-set-aside")
    assert folded.get_attribute("open") is None  # folded away until asked for
    folded.locator("summary").click()
    assert "There is no deadline in this offer." in folded.inner_text()
    # 1 strength and 2 phrases left: 4 × 1 / 3 = 1.3.
    assert "1.3 of 4" in page.locator("main").inner_text()
    check_accessibility(page, axe_source, "copy review with a phrase set aside")
    assert page.console_problems == []


def test_a_suggested_rewrite_is_copied_to_the_clipboard_with_one_button(page, axe_source, product):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "lakeview-leader")
    page.goto(f"/products/{product.pk}/tone/")
    button = page.locator(".tone-card button[data-copy]").first
    suggestion = button.get_attribute("data-copy")
    assert suggestion and button.is_visible()
    button.click()
    status = page.locator("[data-copy-status]")
    status.filter(has_text="Copied to the clipboard.").wait_for(state="attached")
    assert page.evaluate("navigator.clipboard.readText()") == suggestion
    check_accessibility(page, axe_source, "copy review after copying")
    assert page.console_problems == []
