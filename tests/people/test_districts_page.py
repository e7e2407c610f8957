"""Site staff (issue 17): outside any district they land on a page of districts, with counts, admins, recent
activity and links into each district's rubrics and people, and their menu holds no link that answers 403."""

import logging
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assetlens.models import District, Membership
from audits.models import Audit
from products.models import Product
from rubrics.models import Rubric
from rubrics.selectors import current_version_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="navbar.*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"]*)"')


@pytest.fixture
def staff_client(client, site_staff):
    client.force_login(site_staff)
    return client


def add_district(name, slug, members=0, products=0, audits=0):
    district = District.objects.create(name=name, slug=slug)
    admin = make_user(f"{slug}-admin", district, Membership.Role.DISTRICT_ADMIN, first_name="Ana", last_name=slug)
    people = [admin] + [make_user(f"{slug}-{n}", district, Membership.Role.LEADER) for n in range(members - 1)]
    version = current_version_for(district)
    made = [Product.objects.create(district=district, name=f"{slug} tool {n}", created_by=admin)
            for n in range(products)]
    for n in range(audits):
        Audit.objects.create(district=district, product=made[n], rubric_version=version,
                             auditor=people[n % len(people)])
    return district


def test_staff_without_a_district_land_on_districts_not_a_dead_end(staff_client):
    response = staff_client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("district_overview")


def test_the_districts_page_counts_people_products_and_audits_and_names_the_admins(staff_client, leader):
    # Alder: the conftest leader (the staff fixture is in no district). Cedar: 3 people, 2 products, 2 audits,
    # one product archived (not counted) and one person deactivated (not counted).
    cedar = add_district("Cedar Schools", "cedar", members=4, products=3, audits=2)
    Product.objects.filter(district=cedar, name="cedar tool 2").update(archived_at="2026-11-01T00:00:00Z")
    User.objects.filter(username="cedar-2").update(is_active=False)
    Rubric.objects.create(name="Cedar reading rubric", district=cedar)
    page = staff_client.get(reverse("district_overview")).content.decode()
    row = re.search(r"<bdi>Cedar Schools</bdi>.*?</tr>", page, re.S).group(0)
    cells = re.findall(r'<td class="text-end" data-label="[^"]+">(\d+)</td>', row)
    assert cells == ["3", "2", "2"]  # people (4 minus the deactivated one), products (3 minus archived), audits
    assert "<bdi>Ana cedar</bdi>" in row
    cedar_rubric = Rubric.objects.get(name="Cedar reading rubric")
    assert reverse("rubric_detail", args=[cedar_rubric.pk]) in row
    assert reverse("district_people", args=[cedar.pk]) in row
    alder = re.search(r"<bdi>Alder District</bdi>.*?</tr>", page, re.S).group(0)
    assert re.findall(r'<td class="text-end" data-label="[^"]+">(\d+)</td>', alder) == ["1", "0", "0"]
    assert "No admin yet" in alder and "The shared rubric" in alder
    assert "Recent activity" in page and "audit of <bdi>cedar tool" in page


def test_every_link_in_the_staff_menu_opens(staff_client):
    page = staff_client.get(reverse("district_overview")).content.decode()
    links = HREF.findall(NAV.search(page).group(0))
    assert reverse("district_overview") in links and reverse("rubric_list") in links
    assert reverse("product_list") not in links and reverse("dashboard") not in links
    for link in links:
        assert staff_client.get(link).status_code == 200, link


def test_every_link_on_the_districts_page_opens_for_staff(staff_client):
    cedar = add_district("Cedar Schools", "cedar", members=2, products=1, audits=1)
    Rubric.objects.create(name="Cedar reading rubric", district=cedar)
    page = staff_client.get(reverse("district_overview")).content.decode()
    main = page[page.index('<main'):page.index('</main>')]
    for link in set(HREF.findall(main)):
        assert staff_client.get(link).status_code == 200, link


def test_a_members_menu_keeps_its_district_links(client, leader):
    client.force_login(leader)
    nav = NAV.search(client.get(reverse("dashboard")).content.decode()).group(0)
    assert reverse("product_list") in nav and reverse("district_overview") not in nav


def test_district_pages_tell_staff_where_to_go(staff_client):
    response = staff_client.get(reverse("product_list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page belongs to a district" in page and reverse("district_overview") in page


def test_staff_read_a_districts_people_and_the_look_is_logged(staff_client, site_staff, caplog):
    cedar = add_district("Cedar Schools", "cedar", members=2)
    with caplog.at_level(logging.INFO, logger="people.views"):
        response = staff_client.get(reverse("district_people", args=[cedar.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<bdi>Ana cedar</bdi>" in page and "<bdi>cedar-0</bdi>" in page
    assert "<form" not in page[page.index("<main"):]  # read only: nothing to post
    assert f"Site staff user {site_staff.pk} read the people of district {cedar.pk}" in caplog.text


def test_a_district_admin_cannot_open_the_staff_pages(client, district_admin, district_a):
    client.force_login(district_admin)
    assert client.get(reverse("district_overview")).status_code == 403
    assert client.get(reverse("district_people", args=[district_a.pk])).status_code == 404


def test_the_districts_page_costs_the_same_queries_for_2_or_30_districts(staff_client):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse("district_overview")).status_code == 200
        return len(captured)

    for n in range(2):
        add_district(f"Small {n}", f"small-{n}", members=2, products=2, audits=1)
    small = count()
    for n in range(28):
        add_district(f"Large {n}", f"large-{n}", members=3, products=2, audits=2)
        Rubric.objects.create(name=f"Rubric {n}", district=District.objects.get(slug=f"large-{n}"))
    assert count() == small
