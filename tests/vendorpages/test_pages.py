"""A product's vendor pages, from the address a leader types to the change a re-check notices and the
re-audit it starts. Pages come from a real HTTP server on loopback (allowed by the test setting); the worker's
task runs in-process once the request's transaction commits, as it would after commit on the real stack."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import trans_real

from audits.models import Answer, Audit
from notifications import services as notification_services
from notifications.models import Notification
from products.models import Product
from tests.audits.helpers import all_questions, scored_audit
from tests.conftest import make_user
from vendorpages import tasks
from vendorpages.models import Snapshot, VendorPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_page(leader_client, product, django_capture_on_commit_callbacks):
    def add(url, kind="landing", client=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or leader_client).post(reverse("vendor_page_add", args=[product.pk]),
                                                  {"kind": kind, "url": url})
    return add


@pytest.fixture
def check_now(leader_client, product, django_capture_on_commit_callbacks):
    def check(page):
        with django_capture_on_commit_callbacks(execute=True):
            return leader_client.post(reverse("vendor_page_check", args=[product.pk, page.pk]))
    return check


def product_page(client, product):
    return client.get(reverse("product_detail", args=[product.pk])).content.decode()


def test_an_added_page_is_read_kept_as_a_dated_snapshot_and_read_by_the_copy_reader(
        leader_client, product, allow_vendor_site, add_page):
    response = add_page(allow_vendor_site.url("/families"), kind="families")
    assert response.status_code == 302 and response["Location"].endswith("#vendor-pages")
    page = VendorPage.objects.get(product=product)
    snapshot = page.snapshots.get()
    assert snapshot.status == "fetched" and snapshot.http_status == 200 and snapshot.content_type == "text/html"
    assert snapshot.size > 1000 and snapshot.fetched_at is not None and len(snapshot.text_hash) == 64
    assert "builds on the languages your child speaks at home" in snapshot.text
    assert {s["matched"] for s in snapshot.strengths} >= {"builds on the languages", "celebrates growth"}
    html = product_page(leader_client, product)
    assert "Page for families" in html and "Last read" in html and "changed on" not in html
    detail = leader_client.get(reverse("vendor_page_detail", args=[product.pk, page.pk])).content.decode()
    assert "builds on the languages" in detail and "Asset-based strength" in detail


def test_a_page_changed_beyond_whitespace_is_noticed_with_a_diff_and_the_findings_added(
        leader_client, leader, product, version, allow_vendor_site, add_page, check_now):
    add_page(allow_vendor_site.url("/vendor"))
    page = VendorPage.objects.get(product=product)
    allow_vendor_site.set_version(1, respace=True)  # the same words, spaced and wrapped differently
    check_now(page)
    assert not page.snapshots.filter(changed=True).exists()
    allow_vendor_site.set_version(2)
    check_now(page)
    change = page.snapshots.get(changed=True)
    html = product_page(leader_client, product)
    assert "The vendor's copy changed on" in html and "See what changed" in html
    response = leader_client.get(reverse("vendor_page_change", args=[product.pk, page.pk, change.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<del>ReadAlong Stories is a K–5 reading app" in body
    assert "<ins>Don&#x27;t let your child fall behind!" in body
    assert "Added:" in body and "Removed:" in body  # named in words, not by colour alone
    added = body.split("Deficit framing added")[1].split("Strengths removed")[0]
    assert "fall behind" in added and "below grade level" in added
    assert "unchanged paragraph" in body, body[body.find("vp-diff"):][:3000]


def test_a_failed_read_says_why_and_try_again_reads_it(
        leader_client, product, allow_vendor_site, add_page, check_now, settings):
    settings.VENDORPAGES_FETCH_TIMEOUT = 0.5
    allow_vendor_site.httpd.slow_seconds = 2
    add_page(allow_vendor_site.url("/slow"))
    page = VendorPage.objects.get(product=product)
    assert page.snapshots.get().failure_code == "timeout"
    html = product_page(leader_client, product)
    assert "Not read: timeout." in html and "did not answer in time" in html and "Try again" in html
    allow_vendor_site.httpd.slow_seconds = 0
    check_now(page)
    assert list(page.snapshots.values_list("status", flat=True)) == ["fetched", "failed"]  # newest first


@pytest.mark.parametrize(("path", "code", "says"), [
    ("/brochure.pdf", "not_html", "not a web page (application/pdf)"),
    ("/logo.png", "not_html", "not a web page (image/png)"),
    ("/huge", "too_large", "larger than 2 MB"),
    ("/redirect-private", "blocked", "10.0.0.7 is a private network address"),
    ("/redirect-metadata", "blocked", "a cloud metadata service"),
])
def test_what_a_page_answers_with_is_named_and_nothing_beyond_the_cap_is_kept(
        leader_client, product, allow_vendor_site, add_page, path, code, says):
    add_page(allow_vendor_site.url(path))
    snapshot = Snapshot.objects.get(page__product=product)
    assert (snapshot.status, snapshot.failure_code, snapshot.text) == ("failed", code, "")
    assert says in product_page(leader_client, product)


@pytest.mark.parametrize(("url", "says"), [
    ("http://127.0.0.1/", "this server itself"),
    ("http://169.254.169.254/latest/meta-data/", "a cloud metadata service"),
    ("http://10.1.2.3/", "a private network address"),
    ("file:///etc/passwd", "Only http and https addresses"),
    ("gopher://example.com/", "Only http and https addresses"),
    ("https://example.com:8443/", "port 8443"),
])
def test_an_address_outside_the_public_web_is_refused_in_the_form_and_kept_for_correction(
        leader_client, product, add_page, url, says):
    response = add_page(url)
    body = response.content.decode()
    assert response.status_code == 400 and says in body
    assert f'value="{url}"' in body  # what was typed stays in the field
    assert not VendorPage.objects.exists()


def test_a_name_resolving_to_a_private_address_is_refused_by_the_worker_with_the_reason(
        leader_client, product, vendor_site, add_page):
    add_page("http://localhost/families")  # default setting: nothing allowed
    snapshot = Snapshot.objects.get(page__product=product)
    assert (snapshot.failure_code, snapshot.failure_detail) == ("failed", "") or snapshot.failure_code == "blocked"
    assert snapshot.failure_detail.startswith("loopback|127.0.0.1|localhost")
    assert "localhost leads to 127.0.0.1" in product_page(leader_client, product)
    assert vendor_site.requests == []


def test_the_task_is_idempotent_and_a_lost_claim_writes_nothing(product, allow_vendor_site):
    page = VendorPage.objects.create(district=product.district, product=product, url=allow_vendor_site.url())
    snapshot = Snapshot.objects.create(page=page, district=product.district)
    assert tasks.run_fetch(snapshot.pk) == "fetched"
    assert tasks.run_fetch(snapshot.pk) == "skipped"  # a redelivered message
    assert len(allow_vendor_site.requests) == 1
    # A worker whose claim was handed to another attempt by the sweep does not overwrite its result.
    Snapshot.objects.filter(pk=snapshot.pk).update(status="running", attempts=5)
    assert not tasks._finish(snapshot.pk, 1, status="failed", failure_code="timeout")
    assert Snapshot.objects.get(pk=snapshot.pk).failure_code == ""


def test_the_sweep_gives_a_stuck_read_back_and_fails_it_after_three_attempts_with_a_working_retry(
        leader_client, product, allow_vendor_site, check_now):
    page = VendorPage.objects.create(district=product.district, product=product, url=allow_vendor_site.url())
    long_ago = timezone.now() - timedelta(minutes=10)
    stuck = Snapshot.objects.create(page=page, district=product.district, status="running", attempts=1,
                                    claimed_at=long_ago)
    assert tasks.sweep()["requeued"] == 1  # in-process: the re-enqueued read runs at once
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("fetched", 2)
    dead = Snapshot.objects.create(page=page, district=product.district, status="running", attempts=3,
                                   claimed_at=long_ago)
    assert tasks.sweep()["failed"] == 1
    dead.refresh_from_db()
    assert (dead.status, dead.failure_code) == ("failed", "lost")
    assert "The worker stopped 3 times" in product_page(leader_client, product)
    check_now(page)
    assert page.snapshots.order_by("-id").first().status == "fetched"


def test_a_read_left_queued_when_the_broker_was_down_is_sent_by_the_sweep(product, allow_vendor_site):
    page = VendorPage.objects.create(district=product.district, product=product, url=allow_vendor_site.url())
    queued = Snapshot.objects.create(page=page, district=product.district)
    Snapshot.objects.filter(pk=queued.pk).update(requested_at=timezone.now() - timedelta(minutes=5))
    assert tasks.sweep()["enqueued"] == 1
    assert Snapshot.objects.get(pk=queued.pk).status == "fetched"


def test_the_weekly_recheck_reads_pages_not_read_for_a_week(product, allow_vendor_site,
                                                           django_capture_on_commit_callbacks):
    fresh = VendorPage.objects.create(district=product.district, product=product, url=allow_vendor_site.url(),
                                      last_requested_at=timezone.now() - timedelta(days=2))
    due = VendorPage.objects.create(district=product.district, product=product, url=allow_vendor_site.url("/"),
                                    last_requested_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recheck_vendor_pages() == 1
    assert not fresh.snapshots.exists() and due.snapshots.get().status == "fetched"
    due.refresh_from_db()
    assert due.last_requested_at > timezone.now() - timedelta(minutes=1)


def test_check_now_twice_reads_once(product, allow_vendor_site):
    page = VendorPage.objects.create(district=product.district, product=product, url=allow_vendor_site.url())
    first = tasks.queue_check(page)  # inside the test's transaction: nothing sent yet
    assert tasks.queue_check(page) == first and page.snapshots.count() == 1


def test_leaders_who_audited_see_the_change_on_their_dashboard_and_a_reaudit_starts_from_their_answers(
        leader, product, version, allow_vendor_site, add_page, check_now, leader_client):
    previous = scored_audit(product, version, leader, level=3)
    Answer.objects.filter(audit=previous).update(evidence_quote="Families are partners")
    other = make_user("alder-leader-2", product.district, "leader")
    add_page(allow_vendor_site.url())
    page = VendorPage.objects.get(product=product)
    assert "Vendor copy changed since your audit" not in leader_client.get(reverse("dashboard")).content.decode()
    allow_vendor_site.set_version(2)
    check_now(page)
    dashboard = leader_client.get(reverse("dashboard")).content.decode()
    assert "Vendor copy changed since your audit" in dashboard
    assert "The vendor's copy of ReadAlong changed on" in dashboard
    someone_else = Client()
    someone_else.force_login(other)  # did not audit it: no notice
    assert "Vendor copy changed since your audit" not in someone_else.get(reverse("dashboard")).content.decode()
    # And a notification, for the auditor only, once, linking to what changed (a daily digest by default).
    changed = Snapshot.objects.get(page=page, changed=True)
    [told] = Notification.objects.filter(event=Notification.Event.VENDOR_COPY_CHANGED)
    assert (told.recipient_id, told.delivery) == (leader.pk, "digest")
    assert told.link == reverse("vendor_page_change", args=[product.pk, page.pk, changed.pk])
    assert notification_services.vendor_copy_changed(changed.pk) == []  # run again: nobody is told twice
    assert "The vendor’s copy of ReadAlong changed since your audit" in leader_client.get(
        reverse("notification_list")).content.decode().replace("&#x27;", "’").replace("'", "’")

    response = leader_client.post(reverse("vendor_reaudit", args=[product.pk]))
    draft = Audit.objects.exclude(pk=previous.pk).get(product=product)
    assert response["Location"] == reverse("audit_section", args=[draft.pk, 1])
    assert (draft.status, draft.based_on_id, draft.rubric_version_id) == ("draft", previous.pk, version.pk)
    carried = Answer.objects.filter(audit=draft)
    assert carried.count() == len(all_questions(version)) and all(a.needs_review for a in carried)
    assert {(a.level, a.evidence_quote) for a in carried} == {(3, "Families are partners")}
    assert Answer.objects.filter(audit=previous, needs_review=False).count() == carried.count()  # untouched
    section = leader_client.get(reverse("audit_section", args=[draft.pk, 1])).content.decode()
    assert "Carried over from your earlier audit" in section
    # The notice has done its job once the re-audit is under way.
    assert "Vendor copy changed since your audit" not in leader_client.get(reverse("dashboard")).content.decode()


def test_saving_a_section_of_a_reaudit_clears_its_review_marks(leader_client, leader, product, version):
    previous = scored_audit(product, version, leader, level=2)
    leader_client.post(reverse("vendor_reaudit", args=[product.pk]))
    draft = Audit.objects.get(based_on=previous)
    questions = all_questions(version)
    first_section = [q for q in questions if q.criterion_id == questions[0].criterion_id]
    fields = {"revision": draft.revision, "action": "exit"}
    for q in first_section:
        fields[f"q{q.id}-level"] = "2"
    leader_client.post(reverse("audit_section", args=[draft.pk, 1]), fields)
    marks = dict(Answer.objects.filter(audit=draft).values_list("question_id", "needs_review"))
    assert not any(marks[q.id] for q in first_section)
    assert all(marks[q.id] for q in questions if q not in first_section)


def test_reaudit_without_an_earlier_audit_explains(leader_client, product):
    response = leader_client.post(reverse("vendor_reaudit", args=[product.pk]), follow=True)
    assert "You have no earlier audit of this product" in response.content.decode()
    assert not Audit.objects.exists()


def test_another_districts_page_is_not_found_even_through_ones_own_product(
        leader_client, product, district_b, leader_b):
    theirs = Product.objects.create(district=district_b, name="Theirs")
    page = VendorPage.objects.create(district=district_b, product=theirs, url="https://example.com/")
    for url in (reverse("vendor_page_detail", args=[product.pk, page.pk]),
                reverse("vendor_page_detail", args=[theirs.pk, page.pk]),
                reverse("vendor_page_status", args=[product.pk, page.pk])):
        assert leader_client.get(url).status_code == 404


def test_the_status_says_done_once_the_read_finishes_and_names_a_fresh_address_to_reload(
        leader_client, product, allow_vendor_site):
    page = VendorPage.objects.create(district=product.district, product=product, url=allow_vendor_site.url())
    queued = tasks.queue_check(page)
    status = reverse("vendor_page_status", args=[product.pk, page.pk])
    assert leader_client.get(status).json()["done"] is False
    assert 'data-poll-status' in product_page(leader_client, product)
    tasks.run_fetch(queued.pk)
    body = leader_client.get(status).json()
    assert body["done"] is True and body["url"] == f"/products/{product.pk}/?read={queued.pk}#vendor-pages"


@pytest.fixture
def spanish():
    call_command("compilemessages", locale=["es"], ignore=[".venv", "node_modules"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None


def test_a_leader_reading_in_spanish_gets_the_pages_and_the_reasons_in_spanish(
        spanish, leader_client, product, add_page, settings):
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    refused = add_page("http://169.254.169.254/latest/meta-data/").content.decode()
    assert "169.254.169.254 es un servicio de metadatos de la nube" in refused
    assert 'value="http://169.254.169.254/latest/meta-data/"' in refused
    page = VendorPage.objects.create(district=product.district, product=product, url="https://example.com/")
    Snapshot.objects.create(page=page, district=product.district, status="failed", failure_code="too_large")
    html = product_page(leader_client, product)
    assert "Las páginas del proveedor" in html and "No se leyó: demasiado grande." in html
    assert "La página pesa más de 2 MB" in html and "Intentar de nuevo" in html


def test_a_second_click_on_reaudit_continues_the_draft_instead_of_starting_another(
        leader_client, leader, product, version):
    scored_audit(product, version, leader, level=2)
    first = leader_client.post(reverse("vendor_reaudit", args=[product.pk]))
    second = leader_client.post(reverse("vendor_reaudit", args=[product.pk]))
    assert first["Location"] == second["Location"]
    assert Audit.objects.filter(product=product, status="draft").count() == 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _read_pages(product, pages, reads):
    now = timezone.now()
    start = product.vendor_pages.count()
    for p in range(start, start + pages):
        page = VendorPage.objects.create(district=product.district, product=product, url=f"https://v.example/{p}")
        previous = None
        for r in range(reads):
            previous = Snapshot.objects.create(page=page, district=product.district, status="fetched",
                                               text=f"read {r}", changed=previous is not None, previous=previous,
                                               fetched_at=now - timedelta(days=reads - r))


def test_the_product_page_and_dashboard_cost_the_same_queries_for_one_page_or_many_reads(
        leader_client, leader, product, version, district_a):
    scored_audit(product, version, leader, level=2)
    other = Product.objects.create(district=district_a, name="Other")
    scored_audit(other, version, leader, level=2)
    _read_pages(product, pages=1, reads=2)
    few = (_queries(leader_client, reverse("product_detail", args=[product.pk])),
           _queries(leader_client, reverse("dashboard")))
    _read_pages(product, pages=4, reads=12)
    _read_pages(other, pages=3, reads=5)
    many = (_queries(leader_client, reverse("product_detail", args=[product.pk])),
            _queries(leader_client, reverse("dashboard")))
    assert many == few
