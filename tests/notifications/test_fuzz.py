"""Whatever is posted to the notification settings, or put in an unsubscribe link, the answer is a page with a
reason, never a server error, and a changed link changes nobody's choices."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications import tokens
from notifications.models import Delivery, Kind, Preference

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
choice = st.one_of(any_text, st.sampled_from([*Delivery.values, "", "EMAIL", "digest ", "\x00", "x" * 5000]))


@FUZZ
@given(fields=st.dictionaries(st.one_of(st.sampled_from(Kind.values), any_text), choice, max_size=8))
def test_the_settings_form_never_fails_with_a_server_error(client, committee_member, fields):
    client.force_login(committee_member)
    response = client.post(reverse("notification_settings"), fields)
    complete = all(fields.get(kind) in Delivery.values for kind in Kind.values)
    assert response.status_code == (302 if complete else 400), fields
    if response.status_code == 400:
        page = response.content.decode()
        assert 'role="alert"' in page
        for kind in Kind.values:  # what was typed is kept where it was a valid choice
            if fields.get(kind) in Delivery.values:
                assert f'name="{kind}" value="{fields[kind]}"' in page and "checked" in page
    stored = set(Preference.objects.values_list("delivery", flat=True))
    assert stored <= set(Delivery.values)


@FUZZ
@given(token=st.one_of(any_text.filter(lambda t: "/" not in t and t), st.builds(
    lambda user, kind, cut, junk: tokens.make(user, kind)[:cut] + junk,
    st.integers(-5, 10**9), st.sampled_from([*Kind.values, "digest"]), st.integers(0, 120),
    st.text(alphabet="abcXYZ019:-_", max_size=5)).filter(bool)))
def test_an_unsubscribe_link_never_fails_with_a_server_error(client, committee_member, token):
    url = reverse("notification_unsubscribe", args=[token])
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (200, 400), token
        if response.status_code == 400:
            assert "This unsubscribe link does not work" in response.content.decode()
    # Only an intact link made for this person changes this person's choices.
    try:
        wanted = tokens.read(token)
    except tokens.BadToken:
        assert not Preference.objects.exists()
    else:
        assert set(Preference.objects.values_list("user_id", flat=True)) <= {wanted.user_id}
    Preference.objects.all().delete()


@FUZZ
@given(due=st.one_of(any_text, st.dates().map(str), st.sampled_from(["", "2027-02-30", "10/03/2027", "0001-01-01"])),
       members=st.lists(st.one_of(any_text, st.integers(-5, 10**6).map(str)), max_size=3))
def test_the_audit_request_form_with_its_due_date_never_fails_with_a_server_error(
        client, district_admin, committee, committee_member, product, due, members):
    from committees.models import AuditRequest
    from notifications.models import Notification

    client.force_login(district_admin)
    response = client.post(reverse("audit_request_create", args=[committee.pk]),
                           {"product": product.pk, "members": [committee_member.pk, *members], "due_date": due})
    assert response.status_code in (302, 400), (due, members)
    if response.status_code == 400:
        assert 'role="alert"' in response.content.decode()
    # A request is asked for once, and told once.
    assert Notification.objects.count() == AuditRequest.objects.count() <= 1
