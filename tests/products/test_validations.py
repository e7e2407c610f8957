"""Third-party validations: a product's certifications and agreements, each with a link, a date and an expiry,
shown beside its asset-based score; one expiring within 60 days lists the product for re-review."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from products.models import Product, Validation
from tests.audits.helpers import scored_audit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def record(client, product, **fields):
    data = {"kind": "privacy_agreement", "detail": "", "link": "", "issued_on": "2026-01-15", "expires_on": ""}
    data.update(fields)
    return client.post(reverse("product_validations", args=[product.pk]), data)


def test_a_signed_agreement_is_shown_beside_the_score(leader_client, product, version, leader):
    audit = scored_audit(product, version, leader)
    response = record(leader_client, product, link="dpa.example/alder-readalong.pdf",
                      expires_on=(TODAY + datetime.timedelta(days=400)).isoformat())
    assert response.status_code == 302
    validation = Validation.objects.get(product=product)
    assert validation.link == "https://dpa.example/alder-readalong.pdf" and validation.district == product.district
    for url in (reverse("product_detail", args=[product.pk]), reverse("audit_result", args=[audit.pk])):
        html = leader_client.get(url).content.decode()
        assert "Signed data privacy agreement" in html and "https://dpa.example/alder-readalong.pdf" in html


def test_products_with_a_validation_expiring_within_60_days_are_listed_for_re_review(leader_client, product):
    soon = Product.objects.create(district=product.district, name="Soon")
    later = Product.objects.create(district=product.district, name="Later")
    gone = Product.objects.create(district=product.district, name="Archived", archived_at=timezone.now())
    record(leader_client, soon, kind="trusted_apps", expires_on=(TODAY + datetime.timedelta(days=30)).isoformat())
    record(leader_client, later, kind="iste_seal", expires_on=(TODAY + datetime.timedelta(days=90)).isoformat())
    record(leader_client, product, kind="common_sense", detail="Pass",
           expires_on=(TODAY - datetime.timedelta(days=2)).isoformat())
    record(leader_client, gone, expires_on=(TODAY + datetime.timedelta(days=5)).isoformat())
    html = leader_client.get(reverse("validations_expiring")).content.decode()
    assert "Soon" in html and "1EdTech TrustEd Apps" in html
    assert "ReadAlong" in html and "expired" in html
    assert "Later" not in html and "Archived" not in html
    soon_page = leader_client.get(reverse("product_detail", args=[soon.pk])).content.decode()
    assert "renewal due: review it again" in soon_page


def test_an_expiry_before_the_date_is_explained(leader_client, product):
    response = record(leader_client, product, issued_on="2026-05-01", expires_on="2026-04-01")
    assert response.status_code == 400
    assert "The expiry comes before the date it was awarded or signed." in response.content.decode()
    assert not Validation.objects.exists()


def test_another_districts_validation_cannot_be_removed(client, leader_b, leader_client, product):
    record(leader_client, product)
    validation = Validation.objects.get()
    client.force_login(leader_b)
    assert client.post(reverse("validation_delete", args=[validation.pk])).status_code == 404
    assert Validation.objects.filter(pk=validation.pk).exists()


value = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
                  st.sampled_from(["", "2026-02-30", "2026-01-01", "9999-12-31", "0001-01-01", "javascript:x",
                                   "x" * 600, "\x00", "other", "dpa"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.fixed_dictionaries({}, optional={k: value for k in ("kind", "detail", "link", "issued_on",
                                                                      "expires_on")}))
def test_the_validation_form_never_fails_with_a_server_error(leader_client, product, fields):
    response = leader_client.post(reverse("product_validations", args=[product.pk]), fields)
    assert response.status_code in (302, 400), fields
