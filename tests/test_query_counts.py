"""Pages cost the same number of SQL queries with a few rows as with many, so they stay fast as a district grows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assetlens.models import Membership
from audits import tasks
from audits.models import Audit, Score
from committees import selectors as committee_selectors
from committees import services as committee_services
from committees.models import Committee, CommitteeMember
from products.models import Product

from .audits.helpers import all_questions, answered_audit
from .conftest import make_user

pytestmark = [pytest.mark.django_db]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def scored_audit(product, version, auditor, level=3, keep=None):
    audit = answered_audit(product, version, auditor, level=level)
    if keep is not None:  # answer only the first `keep` questions
        audit.answers.exclude(question__in=all_questions(version)[:keep]).delete()
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
    tasks.score_submitted_audit(audit.pk)
    return audit


def more_audits(product, version, auditor, count):
    for i in range(count):
        scored_audit(product, version, auditor, level=i % 5)
    # Drafts too, each by another person: a person has one draft of a product at most.
    start = Audit.objects.count()
    drafters = [make_user(f"drafter-{start + i}", product.district, Membership.Role.LEADER) for i in range(count)]
    Audit.objects.bulk_create(
        Audit(district=product.district, product=product, rubric_version=version, auditor=drafter)
        for drafter in drafters)


def test_dashboard_costs_the_same_queries_for_one_audit_and_a_full_page(leader_client, product, version, leader):
    scored_audit(product, version, leader)
    few = queries_for(leader_client, reverse("dashboard"))
    more_audits(product, version, leader, 25)  # 51 audits: more than one page of 20
    assert queries_for(leader_client, reverse("dashboard")) == few
    assert queries_for(leader_client, reverse("dashboard") + "?status=scored&page=2") == few


def bulk_scored(product, version, auditor, count):
    """`count` scored audits of `product` in two statements: only the rows a list reads, no answers."""
    audits = Audit.objects.bulk_create(
        Audit(district=product.district, product=product, rubric_version=version, auditor=auditor,
              status=Audit.Status.SCORED, scored_at=timezone.now()) for _ in range(count))
    Score.objects.bulk_create(Score(audit=a, overall=Decimal(i % 101), details={"criteria": [{"title": "x" * 500}]})
                              for i, a in enumerate(audits))


FILTERED = "?q=read+shelf&status=scored&changed_from=2020-01-01&changed_to=2099-12-31&sort=-score&page=2"


def test_dashboard_with_filters_costs_the_same_queries_at_5_and_500_audits(leader_client, product, version, leader):
    Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    bulk_scored(product, version, leader, 5)
    url = reverse("dashboard") + FILTERED + f"&version={version.pk}"
    leader_client.get(url)  # the first view keeps the published version's sections: it never changes
    few = queries_for(leader_client, url)
    for i in range(5):  # more drafts of the leader's to continue, each of another product
        other = Product.objects.create(district=product.district, name=f"Reader {i}", vendor="Open Shelf")
        Audit.objects.create(district=product.district, product=other, rubric_version=version, auditor=leader)
    bulk_scored(product, version, leader, 495)
    assert queries_for(leader_client, url) == few
    # Sorted by score, the page asks once which products' scores the person may not see yet, and its rows read
    # that answer; otherwise the rows ask for their own products: one query either way.
    assert queries_for(leader_client, reverse("dashboard") + "?sort=nonsense&changed_from=not-a-date") == few


def test_products_view_costs_the_same_queries_at_5_and_500_products(leader_client, product, version, leader):
    url = reverse("dashboard_products") + "?q=read&sort=-score"
    bulk_scored(product, version, leader, 3)
    for i in range(4):
        Product.objects.create(district=product.district, name=f"Reader {i}")
    few = queries_for(leader_client, url)
    Product.objects.bulk_create(Product(district=product.district, name=f"Reader {i}") for i in range(4, 500))
    bulk_scored(product, version, leader, 50)
    assert queries_for(leader_client, url) == few


def test_product_list_costs_the_same_queries_for_one_product_and_many(leader_client, product, version, leader):
    few = queries_for(leader_client, reverse("product_list"))
    for i in range(30):
        other = Product.objects.create(district=product.district, name=f"Product {i}", created_by=leader)
        Audit.objects.create(district=product.district, product=other, rubric_version=version, auditor=leader)
    assert queries_for(leader_client, reverse("product_list")) == few


def test_section_page_costs_the_same_queries_empty_or_fully_answered(leader_client, product, version, leader):
    # The empty draft is of another product: a person has one draft of a product at most.
    other = Product.objects.create(district=product.district, name="Empty draft product")
    empty = Audit.objects.create(district=product.district, product=other, rubric_version=version, auditor=leader)
    few = queries_for(leader_client, reverse("audit_section", args=[empty.pk, 1]))
    more_audits(product, version, leader, 5)
    full = answered_audit(product, version, leader, level=2)
    assert queries_for(leader_client, reverse("audit_section", args=[full.pk, 1])) == few
    assert queries_for(leader_client, reverse("audit_section", args=[full.pk, 6])) == few


def test_result_page_costs_the_same_queries_for_few_and_all_answers(leader_client, product, version, leader):
    sparse = scored_audit(product, version, leader, keep=3)
    few = queries_for(leader_client, reverse("audit_result", args=[sparse.pk]))
    full = scored_audit(product, version, leader, level=4)
    more_audits(product, version, leader, 5)
    assert queries_for(leader_client, reverse("audit_result", args=[full.pk])) == few


def test_product_page_costs_the_same_queries_for_one_audit_and_many(leader_client, product, version, leader):
    scored_audit(product, version, leader)
    few = queries_for(leader_client, reverse("product_detail", args=[product.pk]))
    more_audits(product, version, leader, 10)
    assert queries_for(leader_client, reverse("product_detail", args=[product.pk])) == few


def test_review_page_costs_the_same_queries_empty_or_fully_answered(leader_client, product, version, leader):
    # The empty draft is of another product: a person has one draft of a product at most.
    other = Product.objects.create(district=product.district, name="Empty draft product")
    empty = Audit.objects.create(district=product.district, product=other, rubric_version=version, auditor=leader)
    few = queries_for(leader_client, reverse("audit_review", args=[empty.pk]))
    full = answered_audit(product, version, leader, level=2)
    assert queries_for(leader_client, reverse("audit_review", args=[full.pk])) == few


def _committee_with_report(district, version, leader, audits_per_product, capture):
    committee = Committee.objects.create(district=district, name=f"Committee {audits_per_product}")
    CommitteeMember.objects.create(committee=committee, user=leader)
    products = []
    for i in range(3):
        product = Product.objects.create(district=district, name=f"P{audits_per_product}-{i}")
        for level in range(audits_per_product):
            scored_audit(product, version, leader, level=level % 5)
        products.append(product)
    audits = list(committee_selectors.comparable_audits(district, products))
    with capture(execute=True):
        report = committee_services.request_comparison(committee, leader, products, audits)
    return committee, report


def test_report_and_committee_pages_cost_the_same_queries_for_one_audit_a_product_and_many(
        leader_client, district_a, version, leader, django_capture_on_commit_callbacks):
    few_committee, few_report = _committee_with_report(district_a, version, leader, 1,
                                                       django_capture_on_commit_callbacks)
    many_committee, many_report = _committee_with_report(district_a, version, leader, 6,
                                                         django_capture_on_commit_callbacks)
    for name, few, many in (("report_detail", few_report, many_report),
                            ("committee_detail", few_committee, many_committee)):
        assert queries_for(leader_client, reverse(name, args=[few.pk])) == \
            queries_for(leader_client, reverse(name, args=[many.pk])), name
    # The first page reads the summary only: what grows with audits (each answer, each score) stays out of it.
    many_report.refresh_from_db()
    summary = many_report.result["products"][0]
    assert summary["audit_count"] == 6 and "audits" not in summary and "answers" not in many_report.result
    assert len(many_report.details[str(summary["id"])]["audits"]) == 6


def _notification_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in captured if "notifications_notification" in q["sql"]]


def test_the_headers_unread_count_costs_no_query_however_many_are_waiting(leader_client, leader, district_a,
                                                                          product):
    from notifications import services
    from notifications.models import Notification

    pages = [reverse("dashboard"), reverse("product_list"), reverse("product_detail", args=[product.pk])]
    for url in pages:
        html, queries = _notification_queries(leader_client, url)
        assert queries == [] and "text-bg-danger" not in html, url  # none unread: no badge, no query
    services.save_preferences(leader.id, {"comments": "app"})
    recipients = services._recipients(district_a.id, [leader.id])
    for i in range(120):
        services._notify(district_a.id, recipients, "comments", "comment_posted", {}, "/", f"q:{i}")
    for url in pages:
        html, queries = _notification_queries(leader_client, url)
        # The count is kept on the membership loaded with the person, so 120 or 120,000 unread cost nothing.
        assert queries == [] and ">99+<" in html, url
    services.mark_read(leader.id, district_a.id,
                       list(Notification.objects.filter(recipient=leader).values_list("id", flat=True)[:115]))
    html, queries = _notification_queries(leader_client, pages[0])
    assert queries == [] and 'text-bg-danger">5<' in html
