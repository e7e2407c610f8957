"""Whatever is typed into the sign-in pages' forms, they answer with the form and a message, never a 500."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.test_fuzz_forms import FUZZ, tricky, value

pytestmark = pytest.mark.django_db

emails = st.one_of(value, st.emails().map(str),
                   st.sampled_from(["ana@alder.example", "@", "a@", "a@b", "ANA@X.EXAMPLE"]))


@FUZZ
@given(email=emails)
def test_use_your_school_account_never_fails_with_a_server_error(client, email):
    response = client.post(reverse("school_account"), {"email": email})
    assert response.status_code in {200, 400}, email


@FUZZ
@given(email=emails)
def test_password_reset_request_never_fails_with_a_server_error(client, email):
    response = client.post(reverse("account_reset_password"), {"email": email})
    assert response.status_code in {200, 302, 429}, email


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={
    "provider": st.one_of(tricky, st.sampled_from(["google", "microsoft", "openid_connect"])),
    "client_id": value, "secret": value, "server_url": value, "tenant": value,
    "domains": st.one_of(value, st.lists(st.one_of(value, st.sampled_from(["alder.example", "@x.example"])),
                                         max_size=5).map("\n".join)),
    "auto_join_as_leader": value, "require_two_step_for_admins": st.sampled_from(["", "off"]),
}))
def test_sign_in_settings_never_fail_with_a_server_error(client, district_admin, fields):
    client.force_login(district_admin)
    response = client.post(reverse("sign_in_settings"), fields)
    assert response.status_code in {302, 400}, fields
