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
    page.locator("#mark-3 a").focus()  # "fall behind"
    page.keyboard.press("Enter")
    assert page.url.endswith("#finding-3")
    assert "Urgency and fear" in page.locator("#finding-3").inner_text()
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
    assert page.locator("mark.tone-deficit").count() == 3 * 400
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
