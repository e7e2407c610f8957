"""Names people paste (issue 17): direction controls are taken out on the way in, names are isolated in <bdi> on
the way out, a name too long is an error that keeps what was typed, and the list pages carry the labels their
phone layout (stacked cards) needs."""

import re

import pytest
from django.urls import reverse

from assetlens.names import clean_name
from committees.models import Committee
from products import inventory
from products.models import Product

pytestmark = pytest.mark.django_db

RLO, PDF, LRI, PDI, RLM, ALM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200f", "\u061c"


def test_clean_name_takes_out_every_direction_control_and_keeps_the_letters():
    assert clean_name(f"  {RLO}Read{PDF}Along{LRI}{PDI}{RLM}{ALM}\u202a\u202b\u202d\u200e\u2067\u2068 ") == "ReadAlong"
    # A right-to-left name itself is kept as it is: only the invisible controls go.
    assert clean_name("قصص للقراءة") == "قصص للقراءة"


def test_a_pasted_reversing_character_never_reaches_the_saved_product_name(client, leader):
    client.force_login(leader)
    response = client.post(reverse("product_create"), {"name": f"{RLO}skrowemoH", "vendor": f"Open{RLO} Shelf"})
    assert response.status_code == 302
    product = Product.objects.get(district=leader.membership.district)
    assert (product.name, product.vendor) == ("skrowemoH", "Open Shelf")


def test_a_name_of_only_controls_is_an_empty_name_with_the_usual_message(client, leader):
    client.force_login(leader)
    response = client.post(reverse("product_create"), {"name": f"{RLO}{PDF} "})
    assert response.status_code == 200
    assert "Give the product a name so your team can find it." in response.content.decode()
    assert not Product.objects.exists()


def test_committee_names_lose_their_controls_too(client, district_admin, leader):
    client.force_login(district_admin)
    response = client.post(reverse("committee_create"), {"name": f"K-5{RLO} reading", "members": [leader.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Committee.objects.get().name == "K-5 reading"


def test_inventory_rows_lose_their_controls_before_matching():
    plan = inventory.plan_rows([["name", "vendor"], [f"Seesaw{RLO}", f"{LRI}Seesaw Learning{PDI}"]], [])
    assert plan.rows[0].values["name"] == "Seesaw"
    assert plan.rows[0].values["vendor"] == "Seesaw Learning"


def test_a_300_character_name_is_refused_with_its_length_and_nothing_is_cut_or_lost(client, leader):
    client.force_login(leader)
    pasted = "A" * 300
    response = client.post(reverse("product_create"), {"name": pasted, "vendor": "Open Shelf"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This is 300 characters long; it can be at most 200." in page
    assert f'value="{pasted}"' in page  # what was typed is still in the box, whole
    assert not Product.objects.exists()


def test_a_200_character_name_with_controls_is_kept_when_the_letters_fit(client, leader):
    client.force_login(leader)
    response = client.post(reverse("product_create"), {"name": RLO + "B" * 200})
    assert response.status_code == 302
    assert Product.objects.get().name == "B" * 200


def test_the_product_list_isolates_names_and_labels_each_cell_for_phones(client, leader, product):
    Product.objects.filter(pk=product.pk).update(name="قصص ReadAlong")
    client.force_login(leader)
    page = client.get(reverse("product_list")).content.decode()
    assert 'class="table align-middle table-stack"' in page
    assert "<bdi>قصص ReadAlong</bdi>" in page
    assert re.search(r'<td data-label="Product">', page) and 'data-label="Vendor"' in page
    assert 'data-label="Audits"' in page


def test_the_dashboard_labels_each_cell_and_isolates_product_and_auditor(client, leader, product, version):
    from audits.models import Audit

    Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    client.force_login(leader)
    page = client.get(reverse("dashboard")).content.decode()
    for label in ("Product", "Status", "Auditor", "Score", "Last change"):
        assert f'data-label="{label}"' in page
    assert "<bdi>ReadAlong</bdi>" in page


def test_the_people_list_labels_each_cell(client, district_admin, leader):
    client.force_login(district_admin)
    page = client.get(reverse("people_list")).content.decode()
    assert "table-stack" in page
    for label in ("Name", "Role", "Status", "Last sign-in", "Working on", "Actions"):
        assert f'data-label="{label}"' in page


def test_labels_are_in_spanish_for_a_spanish_reader(client, leader, product, spanish_catalogue):
    client.force_login(leader)
    page = client.get(reverse("product_list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'data-label="Producto"' in page
    assert ">Menú</button>" in page


def test_the_header_has_a_menu_button_that_names_what_it_opens(client, leader):
    client.force_login(leader)
    page = client.get(reverse("product_list")).content.decode()
    button = re.search(r'<button type="button" class="[^"]*site-menu-toggle"[^>]*>', page).group(0)
    assert 'aria-expanded="true"' in button and 'aria-controls="site-menu"' in button
    assert 'id="site-menu"' in page
    # The character counter's words come from the page, so they are translated like everything else.
    assert 'data-chars-count="{count} of {limit} characters"' in page
