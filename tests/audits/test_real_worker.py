"""The real stack: PostgreSQL, Redis and a separate `celery worker` process score a submitted audit."""

import time
from decimal import Decimal

import pytest
from django.urls import reverse

from audits.models import Audit, Score

from .helpers import answered_audit

pytestmark = pytest.mark.realstack


def wait_for_status(audit, statuses, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        audit.refresh_from_db()
        if audit.status in statuses:
            return audit.status
        time.sleep(0.25)
    return audit.status


def test_a_submitted_audit_is_scored_by_a_separate_worker(celery_worker_process, client, product, version, leader):
    # Every question at level 3 of 4: each criterion 75.0, so the overall is 75.0 whatever the weights.
    audit = answered_audit(product, version, leader, level=3)
    client.force_login(leader)
    response = client.post(reverse("audit_review", args=[audit.pk]))
    assert response["Location"] == reverse("audit_result", args=[audit.pk])

    status = wait_for_status(audit, {"scored", "scoring_failed"})
    if status != "scored":
        celery_worker_process.terminate()
        pytest.fail(f"The audit ended {status}; the worker said:\n{celery_worker_process.communicate(timeout=15)[0]}")
    assert Score.objects.get(audit=audit).overall == Decimal("75.0")
    page = client.get(reverse("audit_result", args=[audit.pk])).content.decode()
    assert "75.0" in page and "What the product does well" in page
    assert client.get(reverse("audit_status", args=[audit.pk])).json()["done"] is True
    assert Audit.objects.get(pk=audit.pk).status == "scored"
