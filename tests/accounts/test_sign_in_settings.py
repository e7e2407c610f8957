"""A district admin sets up single sign-on on /settings/sign-in/: the secret is never shown back."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from accounts.models import DistrictSignIn, EmailDomain

pytestmark = pytest.mark.django_db

GOOD = {"provider": "openid_connect", "client_id": "assetlens-alder", "secret": "very-secret-value-42",
        "server_url": "https://launchpad.classlink.example", "tenant": "",
        "domains": "alder.example\n@Staff.Alder.example", "auto_join_as_leader": "on"}


@pytest.fixture
def admin_client(client, district_admin):
    client.force_login(district_admin)
    return client


def test_an_admin_sets_up_single_sign_on_and_never_sees_the_secret_again(admin_client, district_a):
    page = admin_client.get(reverse("sign_in_settings")).content.decode()
    assert "http://testserver/accounts/oidc/district-alder/login/callback/" in page
    assert "http://testserver/accounts/google/login/callback/" in page

    response = admin_client.post(reverse("sign_in_settings"), GOOD)
    assert response.status_code == 302
    sign_in = DistrictSignIn.objects.get(district=district_a)
    app = sign_in.social_app
    assert (app.provider, app.provider_id, app.client_id, app.secret) == (
        "openid_connect", "district-alder", "assetlens-alder", "very-secret-value-42")
    assert app.settings == {"server_url": "https://launchpad.classlink.example"}
    assert sign_in.domains == ["alder.example", "staff.alder.example"]
    assert sign_in.auto_join_as_leader and not sign_in.require_two_step_for_admins

    page = admin_client.get(reverse("sign_in_settings")).content.decode()
    assert "very-secret-value-42" not in page and "A client secret is saved" in page
    assert "assetlens-alder" in page and "staff.alder.example" in page

    # Saving again without typing the secret keeps it; typing one replaces it.
    admin_client.post(reverse("sign_in_settings"), {**GOOD, "secret": "", "domains": "alder.example"})
    app.refresh_from_db()
    assert app.secret == "very-secret-value-42"
    assert list(EmailDomain.objects.values_list("domain", flat=True)) == ["alder.example"]
    admin_client.post(reverse("sign_in_settings"), {**GOOD, "secret": "rotated"})
    app.refresh_from_db()
    assert app.secret == "rotated" and SocialApp.objects.count() == 1


def test_a_domain_of_another_district_or_a_malformed_line_is_named_and_what_was_typed_is_kept(
        admin_client, district_b):
    DistrictSignIn.objects.create(district=district_b).domain_rows.create(domain="birch.example")
    response = admin_client.post(reverse("sign_in_settings"), {**GOOD, "domains": "alder.example\nbirch.example"})
    page = response.content.decode()
    assert response.status_code == 400 and "birch.example already belongs to another district" in page
    assert "assetlens-alder" in page and "launchpad.classlink.example" in page
    assert "very-secret-value-42" not in page, "a secret typed is not echoed back either"

    response = admin_client.post(reverse("sign_in_settings"), {**GOOD, "domains": "alder.example\nnot a domain!"})
    page = response.content.decode()
    assert response.status_code == 400 and "“not a domain!” is not an email domain" in page
    assert not DistrictSignIn.objects.filter(district__slug="alder").exists()


def test_an_open_id_connect_provider_needs_its_server_and_every_provider_its_client_and_domains(admin_client):
    response = admin_client.post(reverse("sign_in_settings"), {"provider": "openid_connect"})
    page = response.content.decode()
    assert response.status_code == 400
    for message in ["Enter the client ID", "Enter the client secret", "Enter your OpenID Connect server",
                    "Enter at least one email domain"]:
        assert message in page


def test_microsoft_needs_the_districts_own_directory_and_keeps_it(admin_client, district_a):
    for shared in ["", "common", "organizations"]:
        response = admin_client.post(reverse("sign_in_settings"), {**GOOD, "provider": "microsoft", "tenant": shared})
        assert response.status_code == 400 and "Enter your directory (tenant) ID" in response.content.decode()
    admin_client.post(reverse("sign_in_settings"), {**GOOD, "provider": "microsoft", "server_url": "",
                                                    "tenant": "2f0c-tenant"})
    app = DistrictSignIn.objects.get(district=district_a).social_app
    assert app.provider == "microsoft" and app.provider_id == "" and app.settings == {"tenant": "2f0c-tenant"}


def test_the_header_offers_the_settings_to_district_admins_only(client, district_admin, leader):
    client.force_login(district_admin)
    assert reverse("sign_in_settings") in client.get(reverse("dashboard")).content.decode()
    client.force_login(leader)
    assert reverse("sign_in_settings") not in client.get(reverse("dashboard")).content.decode()


def test_an_admin_who_asks_admins_for_two_step_sign_in_is_sent_to_set_it_up_first(admin_client, district_a):
    response = admin_client.post(reverse("sign_in_settings"), {"require_two_step_for_admins": "on"})
    assert response.status_code == 302
    assert admin_client.get(reverse("sign_in_settings"))["Location"] == reverse("mfa_activate_totp")


def test_site_staff_set_up_a_district_in_django_admin_without_the_secret_shown_back(client, site_staff, district_a):
    client.force_login(site_staff)
    app = SocialApp.objects.create(provider="google", name="Alder", client_id="123.apps.example", secret="g-secret")
    page = client.get(reverse("admin:socialaccount_socialapp_change", args=[app.pk])).content.decode()
    assert "123.apps.example" in page and "g-secret" not in page
    response = client.post(reverse("admin:socialaccount_socialapp_change", args=[app.pk]),
                           {"provider": "google", "name": "Alder", "client_id": "123.apps.example", "secret": "",
                            "key": "", "settings": "{}", "provider_id": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    app.refresh_from_db()
    assert app.secret == "g-secret"
    assert client.get(reverse("admin:accounts_districtsignin_add")).status_code == 200


def test_a_long_district_name_and_a_very_long_domain_are_handled(admin_client, district_a):
    district_a.name = "The Very Long Name of a Consolidated Unified School District Number Seven"
    district_a.save()
    response = admin_client.post(reverse("sign_in_settings"), {**GOOD, "domains": "a" * 60 + "." + "b" * 250})
    assert response.status_code == 400 and "is not an email domain" in response.content.decode()
    assert admin_client.post(reverse("sign_in_settings"), GOOD).status_code == 302
    assert DistrictSignIn.objects.get(district=district_a).social_app.name == district_a.name[:40]
