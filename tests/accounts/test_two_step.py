"""Two-step sign-in (TOTP and recovery codes) for anyone; always for site staff; for admins when the district asks."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from accounts.models import DistrictSignIn
from assetlens.models import Membership
from tests.conftest import make_user

PASSWORD = "pw-for-tests-123"


def code_for(secret, steps_ahead=0):
    """What the person's authenticator app shows now (RFC 6238, 30-second steps), computed with allauth's helper."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + steps_ahead))


def set_up_totp(client):
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate")):
        # allauth asks for the password again before changing how someone signs in.
        reauth = client.post(page["Location"], {"password": PASSWORD})
        assert reauth.status_code == 302, reauth.content.decode()[:2000]
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode() and "data:image/svg+xml" in page.content.decode()
    response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def sign_in(client, login):
    return client.post(reverse("login"), {"login": login, "password": PASSWORD})


@pytest.mark.django_db
def test_anyone_sets_up_two_step_sign_in_then_signs_in_with_a_code_or_a_recovery_code(client, district_a):
    user = make_user("maria", district_a, Membership.Role.LEADER, email="maria@alder.example")
    assert sign_in(client, "maria")["Location"] == reverse("dashboard")
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("mfa_index") in dashboard and "Two-step sign-in" in dashboard

    secret = set_up_totp(client)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    codes = RecoveryCodes(recovery).get_unused_codes()
    assert len(codes) == 10
    client.post(reverse("logout"))

    # The password alone is not enough any more: a code is asked for.
    response = sign_in(client, "maria")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if code_for(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret, 1)})  # the next 30 s's code
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))

    # Phone lost: a recovery code gets them in, once.
    sign_in(client, "maria@alder.example")
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    client.post(reverse("logout"))
    sign_in(client, "maria")
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 200, "a code works once"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_site_staff_without_two_step_sign_in_are_sent_to_set_it_up_and_the_admin_needs_it(client):
    make_user("newstaff", is_staff=True, is_superuser=True, email="staff@assetlens.example")
    response = sign_in(client, "newstaff")
    assert response.status_code == 302
    for url in [reverse("dashboard"), reverse("admin:index"), reverse("rubric_list")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), url
    set_up_totp(client)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_the_admin_sign_in_page_goes_through_two_step_sign_in(client, site_staff):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = sign_in(client, "staff")
    assert response["Location"] == reverse("mfa_authenticate")


@pytest.mark.django_db
def test_a_district_can_require_two_step_sign_in_for_its_admins_only(client, district_a, district_admin, leader):
    client.force_login(district_admin)
    assert client.get(reverse("dashboard")).status_code == 200
    DistrictSignIn.objects.create(district=district_a, require_two_step_for_admins=True)
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_index")).status_code == 200, "the setup pages stay open"
    client.force_login(leader)
    assert client.get(reverse("dashboard")).status_code == 200, "leaders may choose for themselves"


@pytest.mark.django_db
def test_the_two_step_page_lists_what_is_set_up_in_the_sites_layout(client, leader):
    client.force_login(leader)
    page = client.get(reverse("mfa_index")).content.decode()
    assert re.search(r'<html lang="en">', page) and "navbar" in page and reverse("mfa_activate_totp") in page
