"""Families read a district's approved tools at /d/<slug>/tools/ without signing in, in English or Spanish; nothing
of an unpublished district or product is reachable, and never a score or an internal comment."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from committees.models import Decision
from products.models import Product, ToolsPage
from tests.audits.helpers import scored_audit

pytestmark = pytest.mark.django_db

SUMMARY = "Children read picture books in the languages their families speak."
SUMMARY_ES = "Los niños leen libros en los idiomas que hablan sus familias."


def decide(committee, product, outcome, day=datetime.date(2026, 9, 14)):
    return Decision.objects.create(committee=committee, product=product, outcome=outcome, decided_on=day,
                                   status="carried", rationale="Internal: auditors disagreed on criterion 3")


@pytest.fixture
def published(district_a, product, committee):
    ToolsPage.objects.create(district=district_a, published=True)
    Product.objects.filter(pk=product.pk).update(show_to_families=True, family_summary=SUMMARY,
                                                 family_summary_es=SUMMARY_ES, purpose="K-2 reading at home",
                                                 grade_bands=["k2"])
    decide(committee, product, Decision.Outcome.ADOPT)
    product.refresh_from_db()
    return product


def test_a_family_reads_the_adopted_tool_without_signing_in_and_never_a_score(client, published, version, leader):
    scored_audit(published, version, leader, level=3)
    page = client.get(reverse("public_tools", args=["alder"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "ReadAlong" in html and SUMMARY in html and "K-2 reading at home" in html and "K–2" in html
    assert 'datetime="2026-09-14"' in html and "In use" in html
    assert "Internal: auditors disagreed" not in html and "75.0" not in html and "Evidence for question" not in html
    detail = client.get(reverse("public_tool", args=["alder", published.pk]))
    assert detail.status_code == 200 and SUMMARY in detail.content.decode()


def test_the_page_in_spanish_shows_the_spanish_summary(client, published):
    response = client.get(reverse("public_tools", args=["alder"]) + "?lang=es")
    html = response.content.decode()
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in html and SUMMARY_ES in html and SUMMARY not in html
    assert 'href="?lang=en"' in html


def test_an_unpublished_district_has_no_page_at_all(client, published, district_b):
    ToolsPage.objects.filter(district=published.district).update(published=False)
    assert client.get(reverse("public_tools", args=["alder"])).status_code == 404
    assert client.get(reverse("public_tool", args=["alder", published.pk])).status_code == 404
    assert client.get(reverse("public_tools", args=["birch"])).status_code == 404  # never set up
    assert client.get(reverse("public_tools", args=["nowhere"])).status_code == 404


@pytest.mark.parametrize("change", ["not_shown", "declined_later", "archived", "only_needs_information"])
def test_a_product_leaves_the_page_and_its_own_page_is_a_404(client, published, committee, change):
    if change == "not_shown":
        Product.objects.filter(pk=published.pk).update(show_to_families=False)
    elif change == "declined_later":
        decide(committee, published, Decision.Outcome.DECLINE, day=datetime.date(2026, 10, 1))
    elif change == "archived":
        Product.objects.filter(pk=published.pk).update(archived_at=timezone.now())
    else:
        Decision.objects.filter(product=published).update(outcome=Decision.Outcome.NEED_MORE_INFORMATION)
    assert "ReadAlong" not in client.get(reverse("public_tools", args=["alder"])).content.decode()
    assert client.get(reverse("public_tool", args=["alder", published.pk])).status_code == 404


def test_another_districts_product_is_not_reachable_through_a_published_page(client, published, district_b):
    other = Product.objects.create(district=district_b, name="Birch tool", show_to_families=True)
    assert client.get(reverse("public_tool", args=["alder", other.pk])).status_code == 404


def test_the_page_costs_the_same_queries_for_one_tool_and_twenty(client, published, committee):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("public_tools", args=["alder"])).status_code == 200
        return len(captured)

    one = count()
    for i in range(20):
        product = Product.objects.create(district=published.district, name=f"Tool {i}", show_to_families=True,
                                         grade_bands=["3-5"], family_summary="Practice that celebrates growth.")
        decide(committee, product, Decision.Outcome.PILOT)
    assert count() == one
    assert "Tool 19" in client.get(reverse("public_tools", args=["alder"])).content.decode()


def test_committee_member_writes_the_summary_and_admin_publishes(client, committee_member, district_admin, leader,
                                                                  product):
    client.force_login(committee_member)
    response = client.post(reverse("product_families", args=[product.pk]), {
        "show_to_families": "on", "family_summary": SUMMARY, "family_summary_es": SUMMARY_ES})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.show_to_families and product.family_summary == SUMMARY
    assert client.post(reverse("tools_page_settings"), {"published": "on"}).status_code == 403

    client.force_login(district_admin)
    client.post(reverse("tools_page_settings"), {"published": "on", "introduction": "Our tools"})
    assert ToolsPage.objects.get(district=product.district).published
    assert client.get(reverse("public_tools", args=["alder"])).status_code == 200


def test_demo_data_publishes_riverbend_and_not_mesa_verde(client):
    call_command("seed_demo")
    html = client.get("/d/riverbend/tools/").content.decode()
    assert "ReadAlong Stories" in html and "MathSprint" not in html
    assert "Los niños leen libros ilustrados" in client.get("/d/riverbend/tools/?lang=es").content.decode()
    assert client.get("/d/mesa/tools/").status_code == 404
