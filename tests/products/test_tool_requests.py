"""Anyone in the district requests a tool; leaders see the queue and accept it into the product list (with an
auditor, optionally through a committee) or close it with a message; the requester sees the status."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from committees.models import AuditRequest
from products.models import Product, ToolRequest

pytestmark = pytest.mark.django_db


def ask(client, **fields):
    data = {"name": "StoryWeaver", "website": "storyweaver.example", "why": "Books in the languages our families "
            "speak", "students": "K-2 multilingual learners"}
    data.update(fields)
    return client.post(reverse("request_create"), data)


def test_a_request_is_accepted_with_an_auditor_through_a_committee(client, committee_member, leader, committee):
    client.force_login(committee_member)
    assert ask(client).status_code == 302
    tool_request = ToolRequest.objects.get()
    assert "Waiting for a leader" in client.get(reverse("request_list")).content.decode()

    client.force_login(leader)
    assert "StoryWeaver" in client.get(reverse("request_list")).content.decode()  # the leader's queue
    response = client.post(reverse("request_accept", args=[tool_request.pk]), {
        "accept-auditor": committee_member.pk, "accept-committee": committee.pk, "accept-message": "Thanks!"})
    assert response.status_code == 302
    product = Product.objects.get(name="StoryWeaver")
    assert product.website == "https://storyweaver.example" and product.district == tool_request.district
    assert AuditRequest.objects.filter(committee=committee, product=product, member=committee_member).exists()

    client.force_login(committee_member)
    page = client.get(reverse("request_detail", args=[tool_request.pk])).content.decode()
    assert "Accepted: being reviewed" in page and "Thanks!" in page
    assert "For you to audit" in client.get(reverse("request_list")).content.decode()


def test_a_closed_request_shows_the_leaders_message_to_the_requester(client, committee_member, leader):
    client.force_login(committee_member)
    ask(client)
    tool_request = ToolRequest.objects.get()
    client.force_login(leader)
    empty = client.post(reverse("request_close", args=[tool_request.pk]), {"close-message": ""})
    assert empty.status_code == 400 and "Write the requester a few words on why." in empty.content.decode()
    client.post(reverse("request_close", args=[tool_request.pk]), {"close-message": "We use ReadAlong for this."})
    client.force_login(committee_member)
    page = client.get(reverse("request_detail", args=[tool_request.pk])).content.decode()
    assert "Closed" in page and "We use ReadAlong for this." in page
    assert not Product.objects.filter(name="StoryWeaver").exists()


def test_an_auditor_off_the_committee_is_explained(client, leader, district_admin, committee):
    client.force_login(leader)
    ask(client)
    tool_request = ToolRequest.objects.get()
    response = client.post(reverse("request_accept", args=[tool_request.pk]), {
        "accept-auditor": district_admin.pk, "accept-committee": committee.pk})
    assert response.status_code == 400 and "does not serve on K-5 reading" in response.content.decode()
    assert ToolRequest.objects.get().status == "open"


def test_committee_members_cannot_answer_and_others_do_not_see_someone_elses_request(
        client, committee_member, leader, leader_b):
    client.force_login(leader)
    ask(client)
    tool_request = ToolRequest.objects.get()
    client.force_login(committee_member)
    assert client.get(reverse("request_detail", args=[tool_request.pk])).status_code == 404
    assert client.post(reverse("request_close", args=[tool_request.pk]), {"close-message": "x"}).status_code == 404
    client.force_login(leader_b)
    assert client.get(reverse("request_detail", args=[tool_request.pk])).status_code == 404


def test_accepting_a_request_for_a_product_the_district_has_links_it(client, leader, product):
    client.force_login(leader)
    ask(client, name="readalong")
    client.post(reverse("request_accept", args=[ToolRequest.objects.get().pk]), {"accept-auditor": leader.pk})
    assert ToolRequest.objects.get().product == product
    assert Product.objects.filter(district=product.district).count() == 1


value = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
                  st.sampled_from(["", "\x00", "javascript:alert(1)", "x" * 4000, "http://", "ok.example"]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.fixed_dictionaries({}, optional={k: value for k in ("name", "website", "why", "students")}))
def test_the_request_form_never_fails_with_a_server_error(leader_client, fields):
    assert leader_client.post(reverse("request_create"), fields).status_code in (302, 400)
