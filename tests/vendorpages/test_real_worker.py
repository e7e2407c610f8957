"""On the real stack: a page added in the browser's request is read by a real `celery worker` process, sent
after the request commits, from the test's HTTP server on loopback (allowed for that worker by the setting)."""

import pytest
from django.urls import reverse

from tests.realstack import wait_until
from vendorpages.models import Snapshot

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_reads_the_page_after_the_request_commits(workers, vendor_site, settings, client, leader,
                                                                 product):
    settings.VENDORPAGES_ALLOWED_HOSTS = [vendor_site.host]
    worker = workers(VENDORPAGES_ALLOWED_HOSTS=vendor_site.host)
    client.force_login(leader)
    response = client.post(reverse("vendor_page_add", args=[product.pk]),
                           {"kind": "landing", "url": vendor_site.url("/vendor")})
    assert response.status_code == 302
    snapshot = Snapshot.objects.get(page__product=product)
    status = reverse("vendor_page_status", args=[product.pk, snapshot.page_id])
    wait_until(lambda: Snapshot.objects.get(pk=snapshot.pk).status == "fetched", 60, "the worker's read", worker)
    snapshot.refresh_from_db()
    assert snapshot.attempts == 1 and "Reading that starts with your child" in snapshot.text
    assert client.get(status).json()["done"] is True
    assert [p for p, _h in vendor_site.requests] == ["/vendor"]
