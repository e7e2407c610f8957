"""A leader reviews a vendor's copy: highlights in place, strengths first, long copy read by the worker."""

import re
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assetlens.cache import peek
from audits import tasks
from audits.models import Audit
from products import selectors as product_selectors
from products import services as product_services
from products import tasks as tone_tasks
from products.models import CopyReading, Product
from rubrics.selectors import version_structure
from tests.audits.helpers import answered_audit

pytestmark = pytest.mark.django_db

DEFICIT_COPY = "We celebrate progress. Don't let your child fall behind! Only 3 spots left."
LONG_PARAGRAPH = "Struggling readers lose ground every week.\nWe celebrate their progress.\n\n"


def long_copy(target=product_selectors.INLINE_LIMIT + 5_000):
    return LONG_PARAGRAPH * (target // len(LONG_PARAGRAPH) + 1)


def page(client, product):
    return client.get(reverse("product_tone", args=[product.pk]))


# --- The copy review page ---------------------------------------------------------------------------------

def test_leader_sees_each_finding_marked_in_place_with_why_and_a_rewrite(leader_client, product):
    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY)
    response = page(leader_client, product)
    html = response.content.decode()
    assert response.status_code == 200
    # Marks are numbered in text order: 1 "celebrate progress" (strength), 2 "Don't let your child",
    # 3 "fall behind", 4 "Only 3 spots left".
    # Each mark links to its phrase's card (one card per phrase and category, on the first page here).
    assert re.search(r'<mark id="mark-2" class="tone-deficit"><a href="#card-\d"[^>]*>'
                     r'Don&#x27;t let your child</a><sup class="tone-mark-label">\[2 family shame\]</sup></mark>', html)
    assert '<mark id="mark-3" class="tone-deficit">' in html and '<mark id="mark-4" class="tone-deficit">' in html
    assert 'id="card-3"' in html and "Why it matters:" in html and "Try instead:" in html
    assert "Urgency and fear" in html and "Scarcity" in html and "Shaming the family" in html


def test_strengths_are_shown_before_the_findings(leader_client, product):
    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY)
    html = page(leader_client, product).content.decode()
    assert html.index("What the copy does well") < html.index("The copy, with each phrase marked in place")
    assert html.index("What the copy does well") < html.index("Opportunities to strengthen the wording")
    assert '<mark id="mark-1" class="tone-asset">' in html


def test_copy_with_markup_in_it_is_shown_as_text_never_run(leader_client, product):
    Product.objects.filter(pk=product.pk).update(
        marketing_copy="<p>Don't let your kid fall behind</p><script>alert(1)</script>")
    html = page(leader_client, product).content.decode()
    # Pasted HTML is read and shown as the text a reader sees: the script is neither run nor shown.
    assert "<script>alert(1)" not in html and "alert(1)" not in html
    assert "&lt;p&gt;" not in html and 'class="tone-deficit"' in html


def test_empty_copy_gets_a_friendly_invitation_not_an_error(leader_client, product):
    Product.objects.filter(pk=product.pk).update(marketing_copy="  \n ")
    response = page(leader_client, product)
    assert response.status_code == 200
    assert "Paste the vendor's copy on the product page" in response.content.decode()


def test_leader_of_other_district_gets_404(client, leader_b, product):
    client.force_login(leader_b)
    assert page(client, product).status_code == 404
    assert client.get(reverse("product_tone_status", args=[product.pk])).status_code == 404
    assert client.post(reverse("product_tone_retry", args=[product.pk])).status_code == 404


def test_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, product):
    response = page(client, product)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_product_page_links_to_the_copy_review(leader_client, product):
    html = leader_client.get(reverse("product_detail", args=[product.pk])).content.decode()
    assert reverse("product_tone", args=[product.pk]) in html


def test_the_review_page_costs_the_same_queries_for_one_finding_or_many(leader_client, product):
    Product.objects.filter(pk=product.pk).update(marketing_copy="Don't let your child fall behind.")
    with CaptureQueriesContext(connection) as few:
        page(leader_client, product)
    Product.objects.filter(pk=product.pk).update(marketing_copy="Don't let your child fall behind. " * 200)
    with CaptureQueriesContext(connection) as many:
        page(leader_client, product)
    assert len(few) == len(many)


# --- Long copy: the worker reads it, the page shows progress --------------------------------------------

def test_long_copy_is_read_by_the_task_and_the_findings_shown(leader_client, product):
    Product.objects.filter(pk=product.pk).update(marketing_copy=long_copy())
    product.refresh_from_db()
    html = page(leader_client, product).content.decode()
    repeats = product.marketing_copy.count(LONG_PARAGRAPH)
    # Each paragraph: "Struggling readers" (label), "lose ground" (urgency); strengths: "celebrate their progress".
    assert html.count('class="tone-deficit"') == 2 * repeats
    assert html.count('class="tone-asset"') == repeats
    status = leader_client.get(reverse("product_tone_status", args=[product.pk])).json()
    assert status["ready"] is True and status["state"] == "ready"


def asked_reading(product, **fields):
    """The row the page makes when it asks the worker to read the product's copy."""
    copy = Product.objects.values_list("marketing_copy", flat=True).get(pk=product.pk)
    return CopyReading.objects.create(district_id=product.district_id, product=product,
                                      key=product_selectors.reading_key(copy), queued_at=timezone.now(), **fields)


def test_the_task_records_progress_per_chunk_and_keeps_plain_json_under_the_copys_hash(product):
    copy = LONG_PARAGRAPH * 3000  # about 240 KB, so several 64 KB chunks cut at blank lines
    Product.objects.filter(pk=product.pk).update(marketing_copy=copy)
    reading = asked_reading(product)
    assert tone_tasks.analyse_product_copy.apply((reading.pk,)).get() == "read"
    reading.refresh_from_db()
    assert (reading.status, reading.done, reading.total, reading.attempts) == ("ready", 4, 4, 1)  # 240,000 / 64,000
    result = peek(reading.key)
    assert len(result["findings"]) == 2 * 3000 and len(result["strengths"]) == 3000
    assert copy[result["findings"][-1]["start"]:result["findings"][-1]["end"]] == "lose ground"


def test_the_task_is_idempotent_a_redelivered_message_does_nothing(product):
    Product.objects.filter(pk=product.pk).update(marketing_copy=long_copy())
    reading = asked_reading(product)
    assert tone_tasks.analyse_product_copy.apply((reading.pk,)).get() == "read"
    first = peek(reading.key)
    assert tone_tasks.analyse_product_copy.apply((reading.pk,)).get() == "skipped"
    assert peek(reading.key) == first


def test_the_task_rechecks_the_district(product, district_b):
    Product.objects.filter(pk=product.pk).update(marketing_copy=long_copy())
    reading = asked_reading(product)
    CopyReading.objects.filter(pk=reading.pk).update(district=district_b)
    assert tone_tasks.analyse_product_copy.apply((reading.pk,)).get() == "failed"
    reading.refresh_from_db()
    assert reading.status == "failed" and reading.failure_message == "This product is no longer in your district."


def test_while_the_worker_reads_the_page_shows_an_accessible_progress_bar_and_the_status_url_polls(
        leader_client, product, monkeypatch):
    Product.objects.filter(pk=product.pk).update(marketing_copy=long_copy())
    monkeypatch.setattr(product_services, "_is_eager", lambda: False)  # as with a real worker
    asked_reading(product, status="running", done=1, total=3, started_at=timezone.now(),
                  lease_until=timezone.now() + timedelta(minutes=1))

    html = page(leader_client, product).content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="33"' in html  # 1 of 3 chunks → 33 %
    assert 'aria-valuemin="0"' in html and 'aria-valuemax="100"' in html
    assert "js/tone_status.js" in html and "<script>" not in html
    status = leader_client.get(reverse("product_tone_status", args=[product.pk])).json()
    assert status == {"state": "running", "done": 1, "total": 3, "percent": 33, "ready": False,
                      "url": reverse("product_tone", args=[product.pk])}


def test_long_copy_is_queued_once_even_when_the_page_is_loaded_twice(
        leader_client, product, monkeypatch, django_capture_on_commit_callbacks):
    Product.objects.filter(pk=product.pk).update(marketing_copy=long_copy())
    monkeypatch.setattr(product_services, "_is_eager", lambda: False)
    queued = []
    monkeypatch.setattr(tone_tasks.analyse_product_copy, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        page(leader_client, product)
        page(leader_client, product)
    assert queued == [CopyReading.objects.get(product=product).pk]


def test_when_the_broker_is_down_the_page_waits_and_the_sweep_hands_the_reading_over_later(
        leader_client, product, monkeypatch, django_capture_on_commit_callbacks):
    Product.objects.filter(pk=product.pk).update(marketing_copy=long_copy())
    monkeypatch.setattr(product_services, "_is_eager", lambda: False)

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tone_tasks.analyse_product_copy, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = page(leader_client, product)
    assert response.status_code == 200 and 'role="progressbar"' in response.content.decode()
    reading = CopyReading.objects.get(product=product)
    assert reading.status == "queued"

    monkeypatch.undo()  # Redis is back; beat's sweep finds the reading waiting past its patience
    CopyReading.objects.filter(pk=reading.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    assert tone_tasks.sweep_readings.apply().get() == {"requeued": [reading.pk], "failed": []}
    assert leader_client.get(reverse("product_tone_status", args=[product.pk])).json()["state"] == "ready"


def test_a_reading_whose_worker_died_is_taken_over_and_after_three_tries_paused_with_try_again(
        leader_client, product, monkeypatch, django_capture_on_commit_callbacks):
    Product.objects.filter(pk=product.pk).update(marketing_copy=long_copy())
    monkeypatch.setattr(product_services, "_is_eager", lambda: False)
    page(leader_client, product)
    reading = CopyReading.objects.get(product=product)
    lapsed = {"status": "running", "lease_until": timezone.now() - timedelta(seconds=1), "attempts": 3}
    CopyReading.objects.filter(pk=reading.pk).update(**lapsed)
    assert tone_tasks.sweep_readings.apply().get() == {"requeued": [], "failed": [reading.pk]}
    html = page(leader_client, product).content.decode()
    assert 'role="alert"' in html and "started 3 times and never finished" in html

    with django_capture_on_commit_callbacks(execute=True):  # in-process tasks: read at once
        response = leader_client.post(reverse("product_tone_retry", args=[product.pk]))
    assert response.status_code == 302
    reading.refresh_from_db()
    assert (reading.status, reading.attempts) == ("ready", 1)
    assert 'class="tone-deficit"' in page(leader_client, product).content.decode()


def test_five_megabytes_of_saved_copy_is_read_by_the_worker_not_a_500(leader_client, product):
    paragraph = "Don't let your child fall behind.\n\n"
    Product.objects.filter(pk=product.pk).update(marketing_copy=paragraph * (5 * 1024 * 1024 // len(paragraph)))
    status = leader_client.get(reverse("product_tone_status", args=[product.pk]))
    assert status.status_code == 200 and status.json()["ready"] is True


# --- Reading any pasted copy --------------------------------------------------------------------------------

def test_pasted_html_is_read_and_highlighted_without_saving(leader_client):
    response = leader_client.post(reverse("tone_preview"), {"text": "<p>Only <b>3 spots</b> left!</p>"})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="tone-deficit"' in html and "Scarcity" in html
    assert not Product.objects.exists() or Product.objects.count() == 0


def test_empty_paste_is_explained_beside_the_field(leader_client):
    html = leader_client.post(reverse("tone_preview"), {"text": "   "}).content.decode()
    assert 'role="alert"' in html and "the box is empty" in html


def test_five_megabyte_paste_gets_a_clear_message_and_keeps_what_was_typed(leader_client):
    text = "Don't let your child fall behind. " * (5 * 1024 * 1024 // 34)
    response = leader_client.post(reverse("tone_preview"), {"text": text})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Paste up to 200,000 at a time" in html
    assert html.count("Don&#x27;t let your child fall behind.") >= 5 * 1024 * 1024 // 34  # still in the box


# --- Inside the audit: the copy-and-tone section and the result page ------------------------------------------

def copy_section_number(version):
    keys = [c.key for c in version_structure(version)]
    return keys.index(product_selectors.COPY_CRITERION_KEY) + 1


def test_copy_and_tone_section_sums_up_the_reading_beside_the_questions_and_other_sections_do_not(
        leader_client, product, version, leader):
    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY)
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    number = copy_section_number(version)
    html = leader_client.get(reverse("audit_section", args=[audit.pk, number])).content.decode()
    panel = html[html.index('id="tone-panel-heading"'):]
    # One strength ("celebrate progress") and three phrases (fall behind, only 3 spots left, ...), strengths first.
    assert "1 strength, 3 phrases to reconsider" in panel
    assert panel.index("celebrate progress") < panel.index("fall behind")
    assert reverse("product_tone", args=[product.pk]) in panel  # the full highlighted copy is one link away
    assert 'class="tone-deficit"' not in html
    # The questions keep the main column: the summary sits in the side column with the section list.
    assert (html.index('class="col-lg-3 order-lg-2"') < html.index('id="tone-panel-heading"')
            < html.index('class="col-lg-9 order-lg-1"') < html.index('id="audit-section-form"'))
    other = 1 if number != 1 else 2
    html = leader_client.get(reverse("audit_section", args=[audit.pk, other])).content.decode()
    assert "read for tone" not in html


def test_copy_and_tone_section_stays_small_however_long_the_copy(leader_client, product, version, leader):
    copy = long_copy(19_000)  # read inline, as the page renders; about 900 findings and 450 strengths
    Product.objects.filter(pk=product.pk).update(marketing_copy=copy)
    audit = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    html = leader_client.get(reverse("audit_section", args=[audit.pk, copy_section_number(version)])).content
    assert len(html) < 60_000, f"the section is {len(html):,} bytes for {len(copy):,} characters of copy"


def test_result_page_shows_the_advisory_signal_beside_the_leaders_own_rating(
        leader_client, product, version, leader):
    # Copy: 1 strength ("celebrate progress") and 3 findings → tone index 4 * 1 / 4 = 1.0.
    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY)
    audit = answered_audit(product, version, leader, level=4)
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
    tasks.score_submitted_audit(audit.pk)
    html = leader_client.get(reverse("audit_result", args=[audit.pk])).content.decode()
    rating = re.search(r'id="copy-tone-rating">([^<]*)<', html).group(1)
    advisory = re.search(r'id="copy-tone-advisory">([^<]*)<', html).group(1)
    assert rating.startswith("4 ·")  # the leader's own level stands
    assert advisory.startswith("1.0 of 4") and "3 phrases to reconsider" in advisory
    audit.refresh_from_db()
    assert audit.score.overall == 100  # every answer at level 4: the advisory signal is not in the score


# --- The real worker (CI) ---------------------------------------------------------------------------------

@pytest.mark.realstack
@pytest.mark.django_db(transaction=True)
def test_real_worker_reads_long_copy_while_the_page_polls(request, client, product, leader):
    Product.objects.filter(pk=product.pk).update(marketing_copy=long_copy(400_000))
    worker = request.getfixturevalue("workers")()
    client.force_login(leader)
    first = page(client, product).content.decode()
    assert 'role="progressbar"' in first
    deadline = time.monotonic() + 90
    status = {}
    while time.monotonic() < deadline:
        status = client.get(reverse("product_tone_status", args=[product.pk])).json()
        if status["ready"]:
            break
        time.sleep(0.5)
    assert status.get("state") == "ready", worker.output()
    assert 'class="tone-deficit"' in page(client, product).content.decode()



def test_in_spanish_the_advice_and_rewrites_are_spanish_with_no_english_tail(leader_client, settings):
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = leader_client.post(reverse("tone_preview"), {
        "text": "Built for limited English speakers. No deje que su hijo se quede atrás."}).content.decode()
    assert "estudiantes multilingües" in html and "Etiquetas como" in html  # English copy, Spanish advice
    assert "multilingual learners" not in html and "Labels like" not in html
    assert "Shame pushes families away" not in html and "Fear of falling behind" not in html


def test_a_deficit_sentence_shows_no_strength_from_a_word_inside_it(leader_client):
    html = leader_client.post(reverse("tone_preview"),
                              {"text": "The achievement gap is growing every year."}).content.decode()
    assert 'class="tone-deficit"' in html and 'class="tone-asset"' not in html and "What the copy does well" not in html
