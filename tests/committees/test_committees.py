"""A committee's side: form it, audit blind, compare products in a worker-built report, discuss and decide."""

import csv
import gzip
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assetlens.models import Membership
from audits import services
from audits.models import Audit
from committees import reports
from committees import selectors as committee_selectors
from committees import services as committee_services
from committees import tasks as committee_tasks
from committees.models import (
    AuditRequest,
    Committee,
    CommitteeMember,
    ComparisonReport,
    ConsensusLevel,
    Decision,
    ReportComment,
    ReportFile,
)
from products.models import Product
from tests.audits.helpers import answered_audit, scored_audit
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client, committee_member):
    client.force_login(committee_member)
    return client


def products_with_audits(district, version, auditor, count, level=3):
    products = []
    for i in range(count):
        product = Product.objects.create(district=district, name=f"Product {i:02d}", vendor=f"Vendor {i}")
        scored_audit(product, version, auditor, level=level)
        products.append(product)
    return products


def ready_report(committee, user, products, capture):
    audits = list(committee_selectors.comparable_audits(committee.district, products))
    with capture(execute=True):
        report = committee_services.request_comparison(committee, user, products, audits)
    report.refresh_from_db()
    assert report.status == ComparisonReport.Status.READY, report.failure_message
    return report


# --- Forming a committee --------------------------------------------------------------------------------


def test_district_admin_forms_a_committee_with_members_from_their_district(client, district_admin, leader,
                                                                           committee_member):
    client.force_login(district_admin)
    response = client.post(reverse("committee_create"), {
        "name": "Middle school math", "purpose": "Grades 6-8 practice", "members": [leader.pk, committee_member.pk]})
    committee = Committee.objects.get(name="Middle school math")
    assert response["Location"] == reverse("committee_detail", args=[committee.pk])
    assert set(committee.members.all()) == {leader, committee_member}
    assert committee.district == district_admin.membership.district


def test_a_member_from_another_district_cannot_be_added_and_what_was_typed_stays(client, district_admin, leader_b):
    client.force_login(district_admin)
    response = client.post(reverse("committee_create"), {"name": "Mixed", "purpose": "kept text",
                                                         "members": [leader_b.pk]})
    page = response.content.decode()
    assert response.status_code == 200 and not Committee.objects.exists()
    assert 'role="alert"' in page and "kept text" in page and "birch-leader" not in page


def test_committee_names_are_unique_in_a_district(client, district_admin, committee, leader):
    client.force_login(district_admin)
    response = client.post(reverse("committee_create"), {"name": "k-5 READING", "members": [leader.pk]})
    assert "already has a committee called" in response.content.decode()


def test_leader_cannot_form_a_committee(leader_client):
    response = leader_client.get(reverse("committee_create"))
    assert response.status_code == 403


def test_admin_asks_members_to_audit_and_the_request_list_shows_their_progress(
        client, district_admin, committee, committee_member, leader, product, version):
    client.force_login(district_admin)
    response = client.post(reverse("audit_request_create", args=[committee.pk]),
                           {"product": product.pk, "members": [committee_member.pk, leader.pk],
                            "due_date": "2030-03-14"})
    assert response.status_code == 302
    assert AuditRequest.objects.filter(committee=committee, product=product).count() == 2
    scored_audit(product, version, leader)
    page = client.get(reverse("committee_detail", args=[committee.pk])).content.decode()
    assert "Audit requests" in page and "Submitted and scored" in page and "Not started" in page
    # Each row: the product, the member by name, the due date and how far their audit is, in username order.
    rows = re.findall(r"<tr><td><a href=\"[^\"]+\">([^<]+)</a></td>\s*<td>([^<]+)</td>\s*"
                      r"<td><time datetime=\"([^\"]+)\">[^<]+</time></td>\s*<td>([^<]+)</td></tr>", page)
    expected = sorted([(product.name, m.get_full_name() or m.username, "2030-03-14", status, m.username)
                       for m, status in ((leader, "Submitted and scored"), (committee_member, "Not started"))],
                      key=lambda row: row[-1])
    assert rows == [row[:-1] for row in expected]


def test_admin_cannot_ask_someone_outside_the_committee(client, district_admin, committee, product, district_a):
    outsider = make_user("alder-outsider", district_a, Membership.Role.LEADER)
    client.force_login(district_admin)
    response = client.post(reverse("audit_request_create", args=[committee.pk]),
                           {"product": product.pk, "members": [outsider.pk]})
    assert response.status_code == 400 and not AuditRequest.objects.exists()


def test_committee_page_is_404_for_non_members_and_other_districts(client, committee, district_a, leader_b):
    outsider = make_user("alder-outsider", district_a, Membership.Role.LEADER)
    for user in (outsider, leader_b):
        client.force_login(user)
        assert client.get(reverse("committee_detail", args=[committee.pk])).status_code == 404


def test_committee_list_shows_only_the_members_committees(member_client, committee, district_a):
    Committee.objects.create(district=district_a, name="Hidden from you")
    page = member_client.get(reverse("committee_list")).content.decode()
    assert "K-5 reading" in page and "Hidden from you" not in page


def test_committee_list_counts_every_member_not_only_the_reader(member_client, client, district_admin, committee,
                                                                 district_a):
    # The fixture's committee has two members (a leader and a committee member); the admin is on neither list.
    other = Committee.objects.create(district=district_a, name="Middle school math")
    page = member_client.get(reverse("committee_list")).content.decode()
    assert "2 members" in page and "1 member<" not in page
    client.force_login(district_admin)
    page = client.get(reverse("committee_list")).content.decode()
    # The admin sees both under "other committees": two members and none.
    assert "2 members" in page and "0 members" in page and other.name in page


# --- Blind until submitted ------------------------------------------------------------------------------


@pytest.fixture
def asked(committee, committee_member, product):
    return AuditRequest.objects.create(committee=committee, product=product, member=committee_member)


def test_member_asked_to_audit_does_not_see_others_answers_until_they_submit_their_own(
        member_client, asked, product, version, leader, committee_member):
    others = scored_audit(product, version, leader, level=4)
    page = member_client.get(reverse("audit_result", args=[others.pk])).content.decode()
    assert "Evidence for question" not in page and "open up as soon as you submit your own audit" in page
    detail = member_client.get(reverse("product_detail", args=[product.pk])).content.decode()
    assert "100.0" not in detail  # the other member's score stays hidden too
    dashboard = member_client.get(reverse("dashboard")).content.decode()
    assert "100.0" not in dashboard and "After you submit yours" in dashboard

    own = answered_audit(product, version, committee_member, level=2)
    assert not committee_selectors.may_see_answers(committee_member, others)
    services.submit(own)
    assert committee_selectors.may_see_answers(committee_member, others)
    page = member_client.get(reverse("audit_result", args=[others.pk])).content.decode()
    assert "Evidence for question" in page and "100.0" in page
    assert "100.0" in member_client.get(reverse("dashboard")).content.decode()


def test_everyone_always_sees_their_own_answers(asked, product, version, committee_member):
    own = answered_audit(product, version, committee_member)
    Audit.objects.filter(pk=own.pk).update(status=Audit.Status.SUBMITTED)
    own.refresh_from_db()
    assert committee_selectors.may_see_answers(committee_member, own)


def test_leader_outside_any_committee_is_not_blinded(product, version, leader, district_a):
    other = make_user("alder-second", district_a, Membership.Role.LEADER)
    audit = scored_audit(product, version, other)
    assert committee_selectors.may_see_answers(leader, audit)


def test_committee_member_with_a_draft_is_blind_even_without_a_request(committee, product, version, leader,
                                                                       committee_member):
    others = scored_audit(product, version, leader)
    answered_audit(product, version, committee_member)  # a draft
    assert not committee_selectors.may_see_answers(committee_member, others)


def test_report_hides_a_product_the_viewer_still_owes_an_audit_of(
        member_client, asked, committee, product, version, leader, district_a, django_capture_on_commit_callbacks):
    scored_audit(product, version, leader, level=4)
    [other] = products_with_audits(district_a, version, leader, 1, level=1)
    report = ready_report(committee, leader, [product, other], django_capture_on_commit_callbacks)
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Opens after your audit" in page
    # Each product's evidence is on its own page: the other product's opens, the owed one stays blind.
    other_page = member_client.get(reverse("report_product", args=[report.pk, other.pk])).content.decode()
    assert "Evidence for question 0" in other_page
    owed_page = member_client.get(reverse("report_product", args=[report.pk, product.pk])).content.decode()
    assert "Evidence for question" not in owed_page and "open up once you submit your own audit" in owed_page
    rows = list(csv.DictReader(io.StringIO(member_client.get(reverse("report_csv", args=[report.pk])).content
                                           .decode())))
    assert {r["product"] for r in rows} == {other.name}
    # The leader (who audited ReadAlong) sees it all.
    member_client.force_login(leader)
    assert "Opens after your audit" not in member_client.get(reverse("report_detail", args=[report.pk])).content\
        .decode()


# --- Asking for a comparison ----------------------------------------------------------------------------


def test_comparing_fewer_than_two_products_says_so(member_client, committee, product, version, leader):
    scored_audit(product, version, leader)
    response = member_client.post(reverse("report_create", args=[committee.pk]), {"products": [product.pk]})
    assert response.status_code == 400
    assert "Choose at least 2 products to compare (you chose 1)." in response.content.decode()
    assert not ComparisonReport.objects.exists()


def test_comparing_more_than_twelve_products_says_so(member_client, committee, district_a, version, leader):
    products = products_with_audits(district_a, version, leader, 13)
    response = member_client.post(reverse("report_create", args=[committee.pk]),
                                  {"products": [p.pk for p in products]})
    assert "Choose at most 12 products in one comparison (you chose 13)." in response.content.decode()
    assert not ComparisonReport.objects.exists()


def test_a_product_without_a_scored_audit_cannot_be_compared(member_client, committee, district_a, version, leader):
    [scored] = products_with_audits(district_a, version, leader, 1)
    unscored = Product.objects.create(district=district_a, name="Not yet audited")
    response = member_client.post(reverse("report_create", args=[committee.pk]),
                                  {"products": [scored.pk, unscored.pk]})
    assert "no scored audit yet" in response.content.decode() and "Not yet audited" in response.content.decode()


def test_another_districts_product_is_not_a_valid_choice(member_client, committee, district_a, district_b, version,
                                                         leader, leader_b):
    [own] = products_with_audits(district_a, version, leader, 1)
    [foreign] = products_with_audits(district_b, version, leader_b, 1)
    response = member_client.post(reverse("report_create", args=[committee.pk]), {"products": [own.pk, foreign.pk]})
    assert response.status_code == 400 and not ComparisonReport.objects.exists()


def test_member_compares_specific_audits(member_client, committee, district_a, version, leader, committee_member,
                                         django_capture_on_commit_callbacks):
    a, b = products_with_audits(district_a, version, leader, 2, level=4)
    extra = scored_audit(a, version, committee_member, level=0)
    chosen = b.audits.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("report_create", args=[committee.pk]),
                                      {"audits": [extra.pk, chosen.pk]})
    report = ComparisonReport.objects.get()
    assert response["Location"] == reverse("report_detail", args=[report.pk])
    assert set(report.audits.all()) == {extra, chosen}
    report.refresh_from_db()
    first = next(p for p in report.result["products"] if p["id"] == a.pk)
    assert first["overall"] == "0.0"  # only the level-0 audit of product a, not the level-4 one


def test_member_asks_for_a_comparison_and_the_worker_builds_it(
        member_client, committee, district_a, version, leader, committee_member, django_capture_on_commit_callbacks):
    a, b = products_with_audits(district_a, version, leader, 2, level=4)
    scored_audit(a, version, committee_member, level=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("report_create", args=[committee.pk]), {"products": [a.pk, b.pk]})
    report = ComparisonReport.objects.get()
    assert response["Location"] == reverse("report_detail", args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts) == ("ready", 100, 1)
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Criteria side by side" in page and "<svg" in page and "<title id=\"grouped-chart-title\">" in page
    assert "What it does well" in page and "Opportunities to strengthen" in page
    # Every question at 4 for b → 100.0; a is the mean of 100.0 and 50.0 → 75.0
    assert "100.0" in page and "75.0" in page
    assert "How far the auditors agree" in page and "Krippendorff" in page
    status = member_client.get(reverse("report_status", args=[report.pk])).json()
    assert status == {"status": "ready", "label": "Ready", "progress": 100, "stage": "Ready", "done": True,
                      "failed": False, "message": "", "url": reverse("report_detail", args=[report.pk])}


def test_queued_report_page_shows_progress_and_polls_its_status(member_client, committee, district_a, version,
                                                                leader):
    products = products_with_audits(district_a, version, leader, 2)
    report = committee_services.request_comparison(committee, leader, products,
                                           committee_selectors.comparable_audits(district_a, products))
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "<progress" in page and "js/report_status.js" in page
    assert f'data-status-url="{reverse("report_status", args=[report.pk])}"' in page
    status = member_client.get(reverse("report_status", args=[report.pk])).json()
    assert (status["status"], status["done"], status["progress"]) == ("queued", False, 0)


def test_worker_writes_progress_and_stage_to_the_report_as_it_goes(committee, district_a, version, leader,
                                                                   monkeypatch):
    products = products_with_audits(district_a, version, leader, 3)
    report = committee_services.request_comparison(committee, leader, products,
                                           committee_selectors.comparable_audits(district_a, products))
    seen = []
    real = committee_tasks.set_progress

    def spy(held, percent, stage):
        before = ComparisonReport.objects.get(pk=held.pk).lease_until
        real(held, percent, stage)
        row = ComparisonReport.objects.get(pk=held.pk)
        assert row.lease_until >= before  # each step tells the others this worker is alive
        seen.append((row.status, row.progress, row.stage))

    monkeypatch.setattr(committee_tasks, "set_progress", spy)
    assert committee_tasks.build_comparison_report.delay(report.pk).get() == "built"
    # 15 + 75 × done / 3 after each product
    assert [p for _, p, _ in seen] == [5, 15, 40, 65, 90, 95]
    assert seen[2] == ("running", 40, "Compared 1 of 3 products")


# --- Rights --------------------------------------------------------------------------------------------


@pytest.fixture
def report(committee, district_a, version, leader, django_capture_on_commit_callbacks):
    products = products_with_audits(district_a, version, leader, 2)
    return ready_report(committee, leader, products, django_capture_on_commit_callbacks)


REPORT_URLS = ["report_detail", "report_status", "report_csv", "report_pdf"]


@pytest.mark.parametrize("name", REPORT_URLS)
def test_leader_of_other_district_gets_404_for_a_report(client, report, leader_b, name):
    client.force_login(leader_b)
    assert client.get(reverse(name, args=[report.pk])).status_code == 404


@pytest.mark.parametrize("name", REPORT_URLS)
def test_non_member_of_the_same_district_gets_404_for_a_report(client, report, district_admin, name):
    client.force_login(district_admin)  # formed the committee but does not serve on it
    assert client.get(reverse(name, args=[report.pk])).status_code == 404


@pytest.mark.parametrize("name", ["report_comment", "report_consensus", "report_decision", "report_retry"])
def test_non_member_cannot_post_to_a_report(client, report, district_a, name):
    client.force_login(make_user("alder-outsider", district_a, Membership.Role.LEADER))
    assert client.post(reverse(name, args=[report.pk]), {"body": "hi"}).status_code == 404
    assert not ReportComment.objects.exists()


def test_the_report_link_is_stable_for_every_member(client, report, committee_member, leader):
    for user in (committee_member, leader):
        client.force_login(user)
        assert client.get(reverse("report_detail", args=[report.pk])).status_code == 200


def test_non_member_cannot_ask_for_a_comparison(client, committee, district_a):
    client.force_login(make_user("alder-outsider", district_a, Membership.Role.LEADER))
    assert client.get(reverse("report_create", args=[committee.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, report):
    response = client.get(reverse("report_detail", args=[report.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Failure, retry, idempotence ------------------------------------------------------------------------


def test_a_failed_build_says_what_went_wrong_and_try_again_builds_it(
        member_client, committee, district_a, version, leader, monkeypatch, django_capture_on_commit_callbacks):
    products = products_with_audits(district_a, version, leader, 2)

    def broken(*args, **kwargs):
        raise reports.ReportError("the rubric could not be read")

    monkeypatch.setattr(reports, "build_comparison", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = committee_services.request_comparison(committee, leader, products,
                                               committee_selectors.comparable_audits(district_a, products))
    report.refresh_from_db()
    assert report.status == "failed" and "the rubric could not be read" in report.failure_message
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert 'role="alert"' in page and "Try again" in page and "the rubric could not be read" in page
    assert member_client.get(reverse("report_status", args=[report.pk])).json()["failed"] is True

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("report_retry", args=[report.pk]))
    assert response["Location"] == reverse("report_detail", args=[report.pk])
    report.refresh_from_db()
    # "Try again" starts the count of attempts afresh: the sweep's bound is for attempts nobody asked for.
    assert (report.status, report.failure_message, report.attempts) == ("ready", "", 1)


def test_try_again_on_a_report_that_is_not_failed_changes_nothing(member_client, report):
    member_client.post(reverse("report_retry", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "ready" and report.attempts == 1


def test_running_the_task_twice_builds_once(report):
    assert committee_tasks.build_comparison_report.delay(report.pk).get() == "skipped"
    report.refresh_from_db()
    assert report.attempts == 1


def test_a_report_another_worker_is_building_is_left_alone_until_its_lease_runs_out(report):
    ComparisonReport.objects.filter(pk=report.pk).update(
        status="running", started_at=timezone.now() - timedelta(minutes=10),
        lease_until=timezone.now() + timedelta(seconds=30))
    # Long-running but alive (its lease renewed by progress): nobody takes it.
    assert committee_tasks.claim(report.pk) is None
    ComparisonReport.objects.filter(pk=report.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert committee_tasks.claim(report.pk) is not None


def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_one_that_took_over(report):
    ComparisonReport.objects.filter(pk=report.pk).update(status="queued")
    paused = committee_tasks.claim(report.pk)
    # The first worker stalls (paused, partitioned) past its lease; another takes the report over.
    ComparisonReport.objects.filter(pk=report.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    took_over = committee_tasks.claim(report.pk)
    assert took_over is not None and took_over.stamp != paused.stamp

    assert committee_tasks.build_claimed(paused) == "superseded"  # wakes up: writes nothing, not even progress
    report.refresh_from_db()
    assert (report.status, report.progress) == ("running", 1)
    assert committee_tasks.build_claimed(took_over) == "built"
    report.refresh_from_db()
    assert report.status == "ready"


def test_the_sweep_hands_back_an_abandoned_report_and_gives_up_after_three_tries(
        member_client, report, django_capture_on_commit_callbacks):
    lapsed = timezone.now() - timedelta(seconds=1)
    ComparisonReport.objects.filter(pk=report.pk).update(status="running", lease_until=lapsed, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        swept = committee_tasks.sweep_reports.apply().get()
    assert swept == {"requeued": [report.pk], "failed": []}
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("ready", 2)  # in-process tasks: built as soon as it was handed over

    ComparisonReport.objects.filter(pk=report.pk).update(status="running", lease_until=lapsed, attempts=3)
    assert committee_tasks.sweep_reports.apply().get() == {"requeued": [], "failed": [report.pk]}
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert 'role="alert"' in page and "started 3 times and never finished" in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("report_retry", args=[report.pk]))
    report.refresh_from_db()
    assert (report.status, report.attempts, report.failure_message) == ("ready", 1, "")


def test_a_report_queued_while_redis_was_down_is_handed_over_by_the_sweep_after_the_patience(report):
    ComparisonReport.objects.filter(pk=report.pk).update(status="queued", queued_at=timezone.now())
    assert committee_tasks.sweep_reports.apply().get() == {"requeued": [], "failed": []}  # a worker may be on it
    ComparisonReport.objects.filter(pk=report.pk).update(queued_at=timezone.now() - timedelta(minutes=3))
    assert committee_tasks.sweep_reports.apply().get() == {"requeued": [report.pk], "failed": []}


def test_database_trouble_marks_the_report_failed_when_running_in_process(report, monkeypatch):
    from django.db import OperationalError

    ComparisonReport.objects.filter(pk=report.pk).update(status="queued")

    def down(*args, **kwargs):
        raise OperationalError("connection lost")

    monkeypatch.setattr(committee_selectors, "report_inputs", down)
    assert committee_tasks.build_comparison_report.delay(report.pk).get() == "failed"
    report.refresh_from_db()
    assert report.status == "failed" and "could not finish in time" in report.failure_message


def test_the_worker_refuses_a_report_whose_committee_is_in_another_district(report, district_b):
    Committee.objects.filter(pk=report.committee_id).update(district=district_b)
    ComparisonReport.objects.filter(pk=report.pk).update(status="queued")
    assert committee_tasks.build_comparison_report.delay(report.pk).get() == "failed"
    report.refresh_from_db()
    assert report.status == "failed" and "another district" in report.failure_message


# --- Discussion, consensus, decisions -------------------------------------------------------------------


def test_members_comment_on_a_report(member_client, report):
    response = member_client.post(reverse("report_comment", args=[report.pk]), {"body": "MathSprint's copy worries me"})
    assert response.status_code == 302
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "MathSprint&#x27;s copy worries me" in page and "alder-committee" in page


def test_an_empty_comment_is_refused_with_a_linked_message(member_client, report):
    response = member_client.post(reverse("report_comment", args=[report.pk]), {"body": ""})
    page = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in page and "Write a comment before posting." in page
    assert not ReportComment.objects.exists()


def test_committee_sets_a_consensus_level_with_a_reason_and_the_ratings_stay(member_client, report, committee_member):
    product_id = report.result["products"][0]["id"]
    original = report.result["products"][0]["criteria"]["problem-framing"]["score"]
    assert "Committee agreed" not in member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    response = member_client.post(reverse("report_consensus", args=[report.pk]), {
        "product": product_id, "criterion_key": "problem-framing", "level": 2,
        "reason": "We re-read the onboarding pages together"})
    assert response.status_code == 302
    agreed = ConsensusLevel.objects.get()
    assert (agreed.level, agreed.product_id) == (2, product_id)
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Committee agreed" in page and "We re-read the onboarding pages together" in page
    assert original in page
    # Setting it again replaces the agreed level; there is one per criterion and product.
    member_client.post(reverse("report_consensus", args=[report.pk]), {
        "product": product_id, "criterion_key": "problem-framing", "level": 3, "reason": "Second look"})
    assert ConsensusLevel.objects.get().level == 3
    # The side-by-side table is kept drawn, under the agreed levels it shows: the page never shows an older one.
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    table = page[page.index('id="comparison"'):page.index("</table>", page.index('id="comparison"'))]
    assert "Second look" in table and "We re-read the onboarding pages together" not in table
    # What every view of the report reads: the agreed level, its reason and who set it; none for a blind viewer.
    setter = committee_member.get_full_name() or committee_member.username
    assert committee_selectors.consensus(report, set()) == {
        (product_id, "problem-framing"): {"level": 3, "reason": "Second look", "set_by": setter}}
    assert committee_selectors.consensus(report, {product_id}) == {}


def test_consensus_needs_a_reason_and_a_level_on_the_scale(member_client, report):
    product_id = report.result["products"][0]["id"]
    response = member_client.post(reverse("report_consensus", args=[report.pk]), {
        "product": product_id, "criterion_key": "problem-framing", "level": 9, "reason": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "Give the reason" in page and "Select a valid choice" in page
    assert not ConsensusLevel.objects.exists()


def test_a_member_proposes_a_decision_and_it_waits_for_votes(member_client, report):
    product_id = report.result["products"][1]["id"]
    response = member_client.post(reverse("report_decision", args=[report.pk]), {
        "product": product_id, "outcome": "pilot", "rationale": "Pilot in two schools first",
        "conditions": "Two schools, one term"})
    decision = Decision.objects.get()
    assert response["Location"] == reverse("decision_detail", args=[decision.pk])
    assert (decision.product_id, decision.outcome, decision.committee_id, decision.status, decision.decided_on) == (
        product_id, "pilot", report.committee_id, "proposed", None)
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Pilot in two schools first" in page and "Proposed, open for votes" in page
    # Not the committee's word yet: the dashboard lists carried decisions only.
    assert "Recent committee decisions" not in member_client.get(reverse("dashboard")).content.decode()


def test_in_spanish_the_proposal_form_takes_its_first_submission(member_client, report):
    member_client.cookies["django_language"] = "es"
    response = member_client.post(reverse("report_decision", args=[report.pk]), {
        "product": report.result["products"][0]["id"], "outcome": "adopt", "rationale": "Lo adoptamos"},
        HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302 and Decision.objects.get().rationale == "Lo adoptamos"


def test_a_pilot_needs_its_conditions_and_a_decision_its_rationale_keeping_what_was_typed(member_client, report):
    product_id = report.result["products"][0]["id"]
    response = member_client.post(reverse("report_decision", args=[report.pk]), {
        "product": product_id, "outcome": "pilot", "rationale": "", "conditions": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "Write the rationale" in page and "Say the pilot" in page
    response = member_client.post(reverse("report_decision", args=[report.pk]), {
        "product": product_id, "outcome": "adopt", "rationale": "", "conditions": "kept words"})
    assert response.status_code == 400 and "kept words" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_decision_about_a_product_outside_the_report_is_refused(member_client, report, district_a):
    outside = Product.objects.create(district=district_a, name="Elsewhere")
    response = member_client.post(reverse("report_decision", args=[report.pk]), {
        "product": outside.pk, "outcome": "adopt", "rationale": "Why not"})
    assert response.status_code == 400 and not Decision.objects.exists()


# --- Exports through the report link --------------------------------------------------------------------


def test_member_downloads_csv_and_pdf(member_client, report, django_capture_on_commit_callbacks):
    response = member_client.get(reverse("report_csv", args=[report.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2 * 20  # 2 products × 1 audit × 20 questions of the default rubric
    pdf = download_pdf(member_client, report, django_capture_on_commit_callbacks)
    assert pdf["Content-Type"] == "application/pdf" and pdf.getvalue().startswith(b"%PDF")


def download_pdf(client, report, capture):
    """As a member's browser does: ask, let the worker's job run once committed, and download."""
    url = reverse("report_pdf", args=[report.pk])
    with capture(execute=True):
        first = client.get(url)
    return first if first.status_code == 200 else client.get(url)


def test_the_worker_prepares_the_pdf_and_the_download_is_served_from_storage(
        member_client, report, django_capture_on_commit_callbacks, django_assert_num_queries):
    url = reverse("report_pdf", args=[report.pk])
    # Made by the worker as soon as the report was ready: served from storage, nothing rendered.
    kept = ReportFile.objects.get(report=report)
    with django_assert_num_queries(5):  # session, person, report, blind set, kept file
        pdf = member_client.get(url)
    assert pdf.status_code == 200 and pdf.getvalue().startswith(b"%PDF") and len(pdf.getvalue()) == kept.size
    # An agreed level changes what the PDF shows: the kept one is no longer served; the member waits for a new one.
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("report_consensus", args=[report.pk]), {
            "product": report.result["products"][0]["id"], "criterion_key": report.result["criteria"][0]["key"],
            "level": "3", "reason": "We talked it over"})
    with django_capture_on_commit_callbacks(execute=False) as asked:  # the worker has not run yet
        waiting = member_client.get(url)
    assert waiting.status_code == 202 and "Your PDF is being prepared" in waiting.content.decode()
    assert member_client.get(url + "?check=1").json() == {"done": False, "url": url}
    for callback in asked:  # the worker's turn
        callback()
    assert member_client.get(url + "?check=1").json()["done"] is True
    assert member_client.get(url).getvalue().startswith(b"%PDF")
    assert ReportFile.objects.filter(report=report).count() == 2


def test_a_kept_pdf_goes_to_a_browser_gzipped_as_stored_and_to_any_other_client_as_the_pdf(member_client, report):
    url = reverse("report_pdf", args=[report.pk])
    kept = ReportFile.objects.get(report=report)
    with kept.file.open("rb") as stored:
        stored_bytes = stored.read()
    browser = member_client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert browser.status_code == 200 and browser["Content-Type"] == "application/pdf"
    assert browser["Content-Encoding"] == "gzip" and "Accept-Encoding" in browser["Vary"]
    assert browser["Content-Disposition"] == f'attachment; filename="comparison-{report.pk}.pdf"'
    assert browser.getvalue() == stored_bytes and int(browser["Content-Length"]) == len(stored_bytes)
    assert gzip.decompress(stored_bytes).startswith(b"%PDF") and len(gzip.decompress(stored_bytes)) == kept.size
    plain = member_client.get(url)
    assert not plain.has_header("Content-Encoding") and plain.getvalue() == gzip.decompress(stored_bytes)
    assert plain["Content-Disposition"] == browser["Content-Disposition"]


# --- Scale -------------------------------------------------------------------------------------------------


def count_report_queries(client, report):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("report_detail", args=[report.pk]))
    assert response.status_code == 200
    return len(queries)


def test_report_page_issues_the_same_number_of_queries_for_2_and_12_products(
        member_client, committee, district_a, version, leader, django_capture_on_commit_callbacks):
    products = products_with_audits(district_a, version, leader, 12)
    small = ready_report(committee, leader, products[:2], django_capture_on_commit_callbacks)
    large = ready_report(committee, leader, products, django_capture_on_commit_callbacks)
    assert len(large.result["products"]) == 12
    assert count_report_queries(member_client, small) == count_report_queries(member_client, large)


def test_dashboard_query_count_does_not_grow_with_decisions(member_client, report, leader):
    products = list(report.products.all())
    for many, chosen in ((False, products[:1]), (True, products)):
        for product in chosen:
            Decision.objects.create(committee=report.committee, product=product, outcome="adopt", rationale="ok",
                                    proposed_by=leader, decided_on=timezone.localdate(), status="carried")
        if not many:
            one = count_dashboard(member_client)
    # One decision costs its query and the blind check over its product; more cost nothing more.
    assert count_dashboard(member_client) == one


def count_dashboard(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dashboard"))
    return len(queries)


def test_report_shows_what_the_tone_reader_found_in_the_vendors_copy(
        member_client, committee, product, district_a, version, leader, django_capture_on_commit_callbacks):
    Product.objects.filter(pk=product.pk).update(
        marketing_copy="Don't let your child fall behind! Families read in their home language together.")
    scored_audit(product, version, leader)
    [other] = products_with_audits(district_a, version, leader, 1)
    report = ready_report(committee, leader, [product, other], django_capture_on_commit_callbacks)
    tone = next(p for p in report.result["products"] if p["id"] == product.pk)["tone"]
    assert tone["finding_count"] >= 1 and tone["strength_count"] >= 1
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "How the vendor's copy reads" in page and "home language" in page
    assert next(p for p in report.result["products"] if p["id"] == other.pk)["tone"] is None  # no copy, no reading


def test_a_report_left_waiting_can_be_handed_to_the_queue_again(member_client, committee, district_a, version,
                                                                  leader, django_capture_on_commit_callbacks):
    products = products_with_audits(district_a, version, leader, 2)
    # Asked for while the broker was down: nothing was enqueued, so it sits queued.
    report = committee_services.request_comparison(committee, leader, products,
                                           committee_selectors.comparable_audits(district_a, products))
    assert "hand it over again" not in member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert committee_services.retry(report) is False  # a fresh queue entry is left alone
    ComparisonReport.objects.filter(pk=report.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    assert "hand it over again" in member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("report_retry", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "ready"


def test_committee_page_issues_the_same_number_of_queries_for_few_and_many_rows(
        client, district_admin, committee, district_a, version, leader, committee_member,
        django_capture_on_commit_callbacks):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("committee_detail", args=[committee.pk])).status_code == 200
        return len(queries)

    client.force_login(committee_member)
    products = products_with_audits(district_a, version, leader, 4)
    ready_report(committee, leader, products[:2], django_capture_on_commit_callbacks)
    AuditRequest.objects.create(committee=committee, product=products[0], member=committee_member)
    Decision.objects.create(committee=committee, product=products[0], outcome="adopt", rationale="r",
                            decided_on=timezone.localdate())
    few = count()
    ready_report(committee, leader, products, django_capture_on_commit_callbacks)
    for product in products[1:]:
        AuditRequest.objects.create(committee=committee, product=product, member=committee_member)
        AuditRequest.objects.create(committee=committee, product=product, member=leader)
        Decision.objects.create(committee=committee, product=product, outcome="pilot", rationale="r",
                                decided_on=timezone.localdate())
    assert count() == few


def test_committee_list_issues_the_same_number_of_queries_for_one_and_many_committees(
        member_client, committee, district_a, committee_member):
    def count():
        with CaptureQueriesContext(connection) as queries:
            member_client.get(reverse("committee_list"))
        return len(queries)

    one = count()
    for i in range(5):
        extra = Committee.objects.create(district=district_a, name=f"Committee {i}")
        CommitteeMember.objects.create(committee=extra, user=committee_member)
    assert count() == one


def test_bench_report_prints_its_figures_and_leaves_no_data_behind():
    from django.core.management import call_command

    out = io.StringIO()
    call_command("bench_report", products=2, audits=2, stdout=out)
    text = out.getvalue()
    assert "2 products × 2 audits × 40 questions = 160 answers" in text
    assert "Build + PDF: first" in text and "Report page, 2 products:" in text
    assert not Committee.objects.filter(name="Bench committee").exists()


def test_audits_on_two_rubric_versions_are_compared_on_shared_questions_with_a_visible_note(
        member_client, committee, district_a, version, leader, django_capture_on_commit_callbacks):
    from rubrics import serialization
    from rubrics.models import Criterion, Level, Question, Rubric, RubricVersion

    data = serialization.export(version)
    dropped = data["criteria"][0]["questions"].pop()  # the newer version leaves one question out
    data["name"] = "District variant"
    newer = serialization.build(data, Rubric=Rubric, RubricVersion=RubricVersion, Criterion=Criterion,
                                Question=Question, Level=Level, district=district_a)
    old_product = Product.objects.create(district=district_a, name="On the default")
    new_product = Product.objects.create(district=district_a, name="On the variant")
    scored_audit(old_product, version, leader, level=4)
    scored_audit(new_product, newer, leader, level=2)
    report = ready_report(committee, leader, [old_product, new_product], django_capture_on_commit_callbacks)
    assert report.result["mixed_versions"] is True
    shared = [q["key"] for q in report.result["questions"]]
    assert f"{data['criteria'][0]['key']}/{dropped['key']}" not in shared and len(shared) == 19
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "These audits use different rubric versions" in page
    assert "They are compared on the 19 questions every version shares." in page


def test_pdf_for_a_member_who_still_owes_an_audit_leaves_that_product_out(
        member_client, asked, committee, product, version, leader, district_a, django_capture_on_commit_callbacks):
    import pypdf

    scored_audit(product, version, leader, level=4)
    [other] = products_with_audits(district_a, version, leader, 1, level=1)
    report = ready_report(committee, leader, [product, other], django_capture_on_commit_callbacks)
    pdf = download_pdf(member_client, report, django_capture_on_commit_callbacks).content
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Opens after your audit" in text
    assert "100.0" not in text  # ReadAlong's scores (every question at 4) stay hidden
    assert "25.0" in text  # the other product's, every question at 1 of 4


def test_district_admin_changes_a_committees_members(client, district_admin, committee, leader, committee_member):
    client.force_login(district_admin)
    response = client.post(reverse("committee_edit", args=[committee.pk]),
                           {"name": committee.name, "purpose": "Grades K-5", "members": [committee_member.pk]})
    assert response.status_code == 302
    committee.refresh_from_db()
    assert list(committee.members.all()) == [committee_member] and committee.purpose == "Grades K-5"


def test_a_kept_pdf_whose_file_went_missing_is_made_again_not_a_500(
        member_client, report, django_capture_on_commit_callbacks):
    kept = ReportFile.objects.get(report=report)
    kept.file.storage.delete(kept.file.name)  # e.g. the files volume was lost or restored from an older copy
    url = reverse("report_pdf", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=False) as asked:
        waiting = member_client.get(url)
    assert waiting.status_code == 202 and not ReportFile.objects.filter(pk=kept.pk).exists()
    for callback in asked:
        callback()
    assert member_client.get(url).getvalue().startswith(b"%PDF")


def test_a_report_shows_each_products_certifications_beside_its_scores(member_client, report):
    from products.models import Product, Validation

    first, second = (Product.objects.get(pk=p["id"]) for p in report.result["products"][:2])
    Validation.objects.create(district=first.district, product=first, kind="privacy_agreement",
                              detail="Signed with the district", issued_on="2026-01-15", expires_on="2027-12-31")
    page = member_client.get(reverse("report_detail", args=[report.pk])).content.decode()
    row = page[page.index("Certifications and agreements"):]
    row = row[:row.index("</tr>")]
    # In the products' column order: the first has its agreement, the second none recorded yet.
    assert row.index("Signed data privacy agreement") < row.index("None recorded yet.")
    assert "Signed with the district" in row
