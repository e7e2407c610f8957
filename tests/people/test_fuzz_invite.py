"""Whatever is pasted into the invite form (or the join form), the page answers, never a 500, and keeps it."""

import html

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from people import services
from people.models import Invitation

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
tricky = st.sampled_from(["", " ", "\x00", "a@b", "ana@alder.example", "ANA@alder.example,,;\n", "<a@b.example>",
                          "Ana <ana@alder.example>", "ana@alder.example\x00", "@", "a" * 300 + "@x.example",
                          "ana@alder.example\nnot an address", "x" * 40000, "<script>alert(1)</script>@x.example"])
value = st.one_of(any_text, tricky)
addresses = st.lists(st.one_of(st.emails(), tricky, any_text), max_size=6).map("\n".join)


def shown(text, page):
    """The textarea shows what was typed (as Django renders it: escaped, one leading newline kept out)."""
    return html.escape(text.removeprefix("\n").removeprefix("\r")) in page


@FUZZ
@given(fields=st.fixed_dictionaries({"emails": st.one_of(addresses, value)}, optional={
    "role": st.one_of(st.sampled_from(["leader", "committee_member", "district_admin"]), value),
    "language": st.one_of(st.sampled_from(["en", "es"]), value),
    "committees": st.lists(st.one_of(value, st.integers().map(str)), max_size=3),
}))
def test_invite_form_never_fails_with_a_server_error_and_keeps_what_was_pasted(admin_client, fields):
    response = admin_client.post(reverse("people_invite"), fields)
    assert response.status_code in {200, 302}, fields
    if response.status_code == 200:
        page = response.content.decode()
        assert shown(fields["emails"].replace("\r\n", "\n"), page), fields
    Invitation.objects.all().delete()


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={
    "first_name": value, "last_name": value, "password1": value, "password2": value}))
def test_join_form_never_fails_with_a_server_error(client, named_admin, district_a, fields):
    [result] = services.invite(district_a, named_admin, ["ana@alder.example"], "leader")
    response = client.post(reverse("join", args=[result.token]), fields)
    assert response.status_code in {200, 302}, fields
    client.logout()
    Invitation.objects.all().delete()
    User.objects.filter(email="ana@alder.example").delete()
