"""Kept pages (assetlens/pagecache.py): fast when nothing changed, never a moment out of date when something did."""

import gzip
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assetlens import pagecache
from audits import services
from audits.models import Audit, Product
from tests.realstack import status_of, wait_until

from .audits.helpers import answered_audit
from .conftest import make_user


@pytest.fixture
def page_cache(settings):
    """The page cache on, over a cache of this process only (the real-stack test below uses Redis)."""
    settings.PAGE_CACHE = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "page-cache-tests"}}
    cache.clear()
    yield
    pagecache._resting_until = 0.0
    pagecache._bumps_owed.clear()


def seen_twice(client, url):
    """The first visit gives the browser its CSRF cookie; the second is rendered and kept."""
    client.get(url)
    response = client.get(url)
    assert response.status_code == 200
    return response


def edit_product(client, product, name, vendor):
    """Save the product's edit form as a leader does; the page it lands on."""
    return client.post(reverse("product_edit", args=[product.pk]), {"name": name, "vendor": vendor, "url": ""},
                       follow=True).content.decode()


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.django_db
def test_a_page_seen_again_with_nothing_changed_is_served_without_the_database(page_cache, leader_client, product):
    url = reverse("product_detail", args=[product.pk])
    kept = seen_twice(leader_client, url).content.decode()

    count, page = queries_for(leader_client, url)

    assert count == 0  # not even the session or the person: both are kept until the next write
    assert page == kept and "ReadAlong" in page


@pytest.mark.django_db
def test_a_leader_sees_a_renamed_product_the_moment_it_is_saved(page_cache, leader_client, product):
    url = reverse("product_detail", args=[product.pk])
    seen_twice(leader_client, url)

    assert "ReadAlong Plus" in edit_product(leader_client, product, "ReadAlong Plus", "Open Shelf")
    count, page = queries_for(leader_client, url)
    assert count > 0 and "ReadAlong Plus" in page


@pytest.mark.django_db
def test_a_change_made_outside_any_districts_work_refreshes_every_page(page_cache, leader_client, product):
    url = reverse("product_detail", args=[product.pk])
    seen_twice(leader_client, url)

    # As a management command or a raw update would: nobody says whose change it is, so it is everyone's.
    Product.objects.filter(pk=product.pk).update(name="Renamed by a script")

    count, page = queries_for(leader_client, url)
    assert count > 0 and "Renamed by a script" in page


@pytest.mark.django_db
def test_work_in_another_district_leaves_this_districts_pages_kept(page_cache, leader_client, product, district_b,
                                                                    leader_b):
    url = reverse("product_detail", args=[product.pk])
    seen_twice(leader_client, url)

    with pagecache.district_work(district_b.id):
        Product.objects.create(district=district_b, name="Birch's own product", created_by=leader_b)

    count, page = queries_for(leader_client, url)
    assert count == 0 and "ReadAlong" in page


@pytest.mark.django_db
def test_each_person_gets_their_own_page_even_with_the_same_cookie_and_address(page_cache, client, district_a,
                                                                              product, leader):
    second = make_user("alder-second-leader", district_a, "leader", first_name="Rosa", last_name="Quintero")
    url = reverse("product_detail", args=[product.pk])
    client.force_login(leader)
    assert "alder-leader" in seen_twice(client, url).content.decode()

    client.force_login(second)  # a sign-in is a write, but the page must differ even if it were not
    page = client.get(url).content.decode()

    assert "Rosa Quintero" in page and "alder-leader" not in page


@pytest.mark.django_db
def test_a_saved_message_is_shown_once_and_not_kept_with_the_page(page_cache, leader_client, product):
    url = reverse("product_detail", args=[product.pk])
    seen_twice(leader_client, url)

    saved = edit_product(leader_client, product, "ReadAlong", "Open Shelf, Inc.")
    assert "Your changes to ReadAlong are saved." in saved

    assert "Your changes to ReadAlong are saved." not in leader_client.get(url).content.decode()
    assert "Your changes to ReadAlong are saved." not in leader_client.get(url).content.decode()


@pytest.mark.django_db
def test_a_kept_session_still_ends_at_its_expiry_date(page_cache, leader_client, product, monkeypatch):
    url = reverse("product_detail", args=[product.pk])
    seen_twice(leader_client, url)  # the session is now kept, and no write will move it on

    two_weeks_and_a_day_later = timezone.now() + timedelta(days=15)
    monkeypatch.setattr(timezone, "now", lambda: two_weeks_and_a_day_later)
    response = leader_client.get(url)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_browser_that_takes_gzip_gets_the_kept_page_gzipped(page_cache, leader_client, product):
    url = reverse("product_detail", args=[product.pk])
    plain = seen_twice(leader_client, url).content

    packed = leader_client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain and len(packed.content) < len(plain)


@pytest.mark.django_db
def test_a_report_still_being_built_is_not_kept(page_cache, leader_client, product, leader):
    from audits.models import Committee, ComparisonReport

    committee = Committee.objects.create(district=product.district, name="Reading committee", created_by=leader)
    committee.members.add(leader)
    report = ComparisonReport.objects.create(district=product.district, committee=committee, requested_by=leader)
    url = reverse("report_detail", args=[report.pk])
    seen_twice(leader_client, url)

    count, _ = queries_for(leader_client, url)

    assert count > 0  # it shows how long it has waited, and offers "Try again" after a while


@pytest.mark.django_db
def test_with_the_cache_unreachable_pages_render_and_sign_in_still_holds(page_cache, settings, leader_client,
                                                                         product):
    settings.CACHES = {"default": {"BACKEND": "assetlens.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}}}
    url = reverse("product_detail", args=[product.pk])

    first, second = leader_client.get(url), leader_client.get(url)

    assert first.status_code == second.status_code == 200
    assert "ReadAlong" in second.content.decode() and "alder-leader" in second.content.decode()


@pytest.mark.django_db
def test_a_write_moves_the_generation_when_it_runs_and_again_when_it_commits(
        page_cache, product, django_capture_on_commit_callbacks):
    key = pagecache._generation_key(f"district:{product.district_id}")
    cache.set(key, 100, timeout=None)

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic(), pagecache.district_work(product.district_id):
            product.name = "ReadAlong 2"
            product.save()
            product.save()
            during = cache.get(key)

    # Each statement moves it (a reader during the transaction keeps its page under a number soon left behind);
    # the commit moves it once more, past anything rendered from the old rows meanwhile.
    assert during == 102 and cache.get(key) == 103


@pytest.mark.realstack
@pytest.mark.django_db(transaction=True)
def test_a_score_written_by_a_separate_worker_shows_on_a_kept_dashboard(workers, client, product, version, leader):
    assert pagecache.enabled(), "the real stack runs with the page cache on Redis"
    audit = answered_audit(product, version, leader, level=3)
    with transaction.atomic():
        services.submit(audit)  # no worker yet: it waits in the queue
    client.force_login(leader)
    url = reverse("dashboard")
    assert "Scoring" in seen_twice(client, url).content.decode()
    count, page = queries_for(client, url)
    assert count == 0 and "Scoring" in page

    worker = workers()
    wait_until(lambda: status_of(audit.pk) == Audit.Status.SCORED, 60, "the worker to score the audit", worker)

    count, page = queries_for(client, url)
    assert count > 0 and "Scored" in page


@pytest.mark.django_db
def test_a_reports_kept_product_sections_never_show_a_blind_member_what_another_member_sees(
        page_cache, client, product, version, leader, committee_member, django_capture_on_commit_callbacks):
    from audits import committees
    from audits.models import Committee, CommitteeMember

    committee = Committee.objects.create(district=product.district, name="K-5 reading", created_by=leader)
    CommitteeMember.objects.create(committee=committee, user=leader)
    CommitteeMember.objects.create(committee=committee, user=committee_member)
    scored = answered_audit(product, version, leader, level=3)
    services.submit(scored)
    services.score_submitted_audit(scored.pk)
    answered_audit(product, version, committee_member, level=1)  # a draft: blind to the others' answers
    with django_capture_on_commit_callbacks(execute=True):
        report = committees.request_comparison(
            committee, leader, [product], list(committees.comparable_audits(product.district, [product])))
    url = reverse("report_detail", args=[report.pk])

    client.force_login(leader)
    assert "Evidence for question 0" in seen_twice(client, url).content.decode()  # the sections are now kept
    client.force_login(committee_member)
    page = client.get(url).content.decode()

    assert "Its scores and other members' answers open up once you submit your own audit." in page
    assert "Evidence for question 0" not in page
