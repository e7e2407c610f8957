"""Whatever a member types into a report's forms, they get a page back with a reason, never a server error."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from committees import selectors as committee_selectors
from committees import services as committee_services
from committees.models import Committee, CommitteeMember
from products.models import Product

from .test_committees import scored_audit

pytestmark = pytest.mark.django_db

TEXT = st.text(max_size=300)
ANYTHING = st.one_of(TEXT, st.integers(-10**6, 10**6).map(str), st.sampled_from(["", "0", "4", "99", "adopt"]))
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def report(district_a, version, leader, committee_member, django_capture_on_commit_callbacks):
    committee = Committee.objects.create(district=district_a, name="Fuzz")
    CommitteeMember.objects.create(committee=committee, user=committee_member)
    products = []
    for name in ("A", "B"):
        product = Product.objects.create(district=district_a, name=name)
        scored_audit(product, version, leader)
        products.append(product)
    with django_capture_on_commit_callbacks(execute=True):
        report = committee_services.request_comparison(committee, leader, products,
                                               committee_selectors.comparable_audits(district_a, products))
    return report


@FUZZ
@given(product=ANYTHING, outcome=ANYTHING, rationale=TEXT, conditions=TEXT)
def test_decision_form_never_fails_with_a_server_error(client, committee_member, report, product, outcome,
                                                       rationale, conditions):
    client.force_login(committee_member)
    response = client.post(reverse("report_decision", args=[report.pk]), {
        "product": product, "outcome": outcome, "rationale": rationale, "conditions": conditions})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert 'role="alert"' in response.content.decode()


@FUZZ
@given(product=ANYTHING, criterion=ANYTHING, level=ANYTHING, reason=TEXT)
def test_consensus_form_never_fails_with_a_server_error(client, committee_member, report, product, criterion, level,
                                                        reason):
    client.force_login(committee_member)
    response = client.post(reverse("report_consensus", args=[report.pk]), {
        "product": product, "criterion_key": criterion, "level": level, "reason": reason})
    assert response.status_code in (302, 400)


@FUZZ
@given(products=st.lists(ANYTHING, max_size=14), audits=st.lists(ANYTHING, max_size=4))
def test_comparison_form_never_fails_with_a_server_error(client, committee_member, report, products, audits):
    client.force_login(committee_member)
    response = client.post(reverse("report_create", args=[report.committee_id]),
                           {"products": products, "audits": audits})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert 'role="alert"' in response.content.decode()
