"""The header every page carries (assetlens/templatetags/site_header.py): the menu each person may use, who is
signed in, and the language switch, on pages rendered with and without a request."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assetlens.models import Membership
from tests.conftest import make_user
from tests.notifications.test_in_the_app import make_notifications

pytestmark = pytest.mark.django_db


def menu_of(page):
    """The labels of the header's menu, in order."""
    menu = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', page, re.S)
    return re.findall(r'<a class="nav-link" href="[^"]+">([^<]+)', menu.group(1)) if menu else []


def header_of(page):
    return page.split("<header", 1)[1].split("</header>", 1)[0]


def test_a_leader_sees_the_districts_pages_and_no_admin_pages(client, leader):
    client.force_login(leader)
    page = client.get(reverse("product_list")).content.decode()
    assert menu_of(page) == ["Audits", "Products", "Requests", "Committees", "Notifications"]
    assert "Sign-in settings" not in header_of(page)
    assert f'href="{reverse("dashboard")}">AssetLens</a>' in page


def test_a_district_admin_also_sees_rubrics_people_and_sign_in_settings(client, district_admin):
    client.force_login(district_admin)
    page = client.get(reverse("product_list")).content.decode()
    assert menu_of(page) == ["Audits", "Products", "Requests", "Committees", "Rubrics", "People", "Notifications"]
    assert f'href="{reverse("sign_in_settings")}">Sign-in settings</a>' in header_of(page)


def test_site_staff_without_a_district_start_at_the_districts(client, site_staff):
    client.force_login(site_staff)
    page = client.get(reverse("district_overview")).content.decode()
    assert menu_of(page) == ["Districts", "Rubrics"]
    assert f'href="{reverse("district_overview")}">AssetLens</a>' in page


def test_the_unread_count_and_the_persons_name_and_district_read_as_plain_text(client, district_a):
    person = make_user("ana", district_a, Membership.Role.LEADER, first_name="<b>Ana</b>", last_name="Ruiz")
    make_notifications(person, district_a, 2)
    client.force_login(person)
    header = header_of(client.get(reverse("product_list")).content.decode())
    assert "<bdi>&lt;b&gt;Ana&lt;/b&gt; Ruiz</bdi> · <bdi>Alder District</bdi>" in header
    assert '<span class="badge rounded-pill text-bg-danger">2<span class="visually-hidden"> unread</span>' in header


def test_someone_signed_out_gets_the_language_switch_and_no_menu(client):
    page = client.get("/accounts/login/?next=/products/").content.decode()
    assert menu_of(page) == [] and "Sign out" not in header_of(page)
    assert '<input name="next" type="hidden" value="/accounts/login/?next=/products/">' in page
    assert re.search(r'<form method="post" action="/i18n/setlang/"[^>]*><input type="hidden" '
                     r'name="csrfmiddlewaretoken" value="\w+">', page)


def test_the_header_reads_in_spanish(client, leader):
    client.force_login(leader)
    client.cookies["django_language"] = "es"
    header = header_of(client.get(reverse("product_list")).content.decode())
    assert menu_of("<header" + header) == ["Auditorías", "Productos", "Solicitudes", "Comités", "Notificaciones"]
    assert '<option value="es" selected lang="es">Español</option>' in header


def test_the_page_for_a_refused_form_token_still_carries_the_header(leader):
    """Django draws that page without a request: the header is drawn from what its context has."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(leader)
    response = browser.post(reverse("audit_start"), {"name": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert 'href="/">AssetLens</a>' in page and 'action="/i18n/setlang/"' in page
