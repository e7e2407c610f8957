"""The real stack: a separate `celery worker` process builds a committee's comparison report."""

import time

import pytest
from django.urls import reverse

from committees.models import Committee, CommitteeMember, ComparisonReport
from products.models import Product

from .test_committees import scored_audit

pytestmark = pytest.mark.realstack


@pytest.mark.django_db(transaction=True)
def test_a_separate_worker_builds_the_report_and_the_status_url_says_ready(
        workers, client, district_a, version, leader, committee_member):
    worker = workers()
    committee = Committee.objects.create(district=district_a, name="Reading")
    CommitteeMember.objects.create(committee=committee, user=committee_member)
    products = []
    for name, level in (("ReadAlong", 4), ("MathSprint", 1)):
        product = Product.objects.create(district=district_a, name=name)
        scored_audit(product, version, leader, level=level)
        products.append(product)
    client.force_login(committee_member)
    response = client.post(reverse("report_create", args=[committee.pk]), {"products": [p.pk for p in products]})
    report = ComparisonReport.objects.get()
    assert response["Location"] == reverse("report_detail", args=[report.pk])

    deadline = time.monotonic() + 60
    status = {}
    while time.monotonic() < deadline:
        status = client.get(reverse("report_status", args=[report.pk])).json()
        if status["done"]:
            break
        time.sleep(0.25)
    assert status.get("status") == "ready", worker.output()
    assert status["progress"] == 100
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    # Every question at 4 → 100.0; every question at 1 of 4 → 25.0
    assert "100.0" in page and "25.0" in page and "Criteria side by side" in page
