"""The real stack: PostgreSQL, Redis and a separate `celery worker` process score a submitted audit."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audits.models import Audit, Score
from tests.realstack import status_of, wait_until

from .helpers import answered_audit

pytestmark = pytest.mark.realstack


@pytest.mark.django_db(transaction=True)
def test_a_submitted_audit_is_scored_by_a_separate_worker(workers, client, product, version, leader):
    # Every question at level 3 of 4: each criterion 75.0, so the overall is 75.0 whatever the weights.
    audit = answered_audit(product, version, leader, level=3)
    client.force_login(leader)
    worker = workers()
    response = client.post(reverse("audit_review", args=[audit.pk]))
    assert response["Location"] == reverse("audit_result", args=[audit.pk])

    wait_until(lambda: status_of(audit.pk) == "scored", 60, "the worker to score the audit", worker)
    assert Score.objects.get(audit=audit).overall == Decimal("75.0")
    page = client.get(reverse("audit_result", args=[audit.pk])).content.decode()
    assert "75.0" in page and "What the product does well" in page
    assert client.get(reverse("audit_status", args=[audit.pk])).json()["done"] is True
    assert Audit.objects.get(pk=audit.pk).status == "scored"
