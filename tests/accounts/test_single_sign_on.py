"""Single sign-on against a real OpenID Connect provider process on loopback (tests/oidc_provider.py).

The browser's part is played by hand: the test client starts at "Use your school account", the provider's
/authorize answers with a redirect (it approves the person the test chose), and the test client follows it back
to allauth's callback, which fetches the token and keys from the provider over HTTP. Nothing in allauth is mocked.
"""

import html
import json
import logging
import re
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts import services
from accounts.models import DistrictSignIn
from assetlens.models import Membership
from people.models import Invitation
from people.models import hash_token as people_hash
from tests.conftest import make_user

SCRIPT = Path(__file__).resolve().parent.parent / "oidc_provider.py"
CLIENT_ID, CLIENT_SECRET = "assetlens-alder", "s3cret-" + secrets.token_hex(8)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class ProviderProcess:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, str(SCRIPT), "--client-id", CLIENT_ID, "--client-secret",
                                         CLIENT_SECRET], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert line.startswith("READY "), line
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def person(self, email, email_verified=True, sub=None, name="Ana Ruiz", spoil=None):
        data = json.dumps({"sub": sub or email, "email": email, "email_verified": email_verified, "name": name,
                           "given_name": name.split()[0], "family_name": name.split()[-1], "spoil": spoil})
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/_test/person", data.encode(), method="POST"),
                               timeout=5).read()

    def approve(self, authorize_url):
        """The provider's sign-in page, approved: where it sends the browser back to (allauth's callback)."""
        try:
            urllib.request.build_opener(NoRedirect).open(authorize_url, timeout=5)
        except urllib.error.HTTPError as redirect:
            assert redirect.code == 302, redirect.read()
            return redirect.headers["Location"]
        raise AssertionError("the provider did not redirect back")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def provider():
    running = ProviderProcess()
    yield running
    running.stop()


@pytest.fixture
def alder_sso(provider, district_a):
    return services.save_sign_in_settings(district_a, services.SingleSignOn(
        provider=DistrictSignIn.Provider.OPENID_CONNECT, client_id=CLIENT_ID, secret=CLIENT_SECRET,
        server_url=provider.url, tenant="", domains=["alder.example"], auto_join_as_leader=False,
        require_two_step_for_admins=False))


def invite(district, email, role, admin):
    return Invitation.objects.create(district=district, email=email, role=role, invited_by=admin,
                                     token_hash=secrets.token_hex(32))


def start(client, email):
    """The page our form answers with moves on to the provider at once (a meta refresh, and a button)."""
    response = client.post(reverse("school_account"), {"email": email})
    assert response.status_code == 200, response.content.decode()[:3000]
    page = response.content.decode()
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', page).group(1)
    button = re.search(r'id="school-sign-in" href="([^"]+)"', page).group(1)
    assert refresh == button
    return html.unescape(refresh)


def come_back(client, callback_url):
    parsed = urlparse(callback_url)
    assert parsed.netloc == "testserver"
    return client.get(f"{parsed.path}?{parsed.query}")


def sign_in_with_school_account(client, provider, email):
    authorize = start(client, email)
    assert authorize.startswith(provider.url + "/authorize?")
    callback = provider.approve(authorize)
    return come_back(client, callback), callback


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_an_invited_address_signs_in_with_the_school_account_and_lands_in_its_district_and_role(
        client, provider, alder_sso, district_a, district_admin):
    invitation = invite(district_a, "ana@alder.example", Membership.Role.COMMITTEE_MEMBER, district_admin)
    provider.person("ana@alder.example", name="Ana Ruiz")
    response, _ = sign_in_with_school_account(client, provider, "ana@alder.example")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard"), response.content[:3000]
    ana = User.objects.get(email="ana@alder.example")
    assert ana.membership.district == district_a and ana.membership.role == Membership.Role.COMMITTEE_MEMBER
    assert ana.first_name == "Ana"
    invitation.refresh_from_db()
    assert invitation.accepted_by == ana and invitation.accepted_at is not None
    assert client.get(reverse("dashboard")).status_code == 200

    # Next time: the same school account signs the same person in.
    client.post(reverse("logout"))
    response, _ = sign_in_with_school_account(client, provider, "ana@alder.example")
    assert response["Location"] == reverse("dashboard") and signed_in(client)
    assert User.objects.filter(email="ana@alder.example").count() == 1


@pytest.mark.django_db
def test_an_existing_member_signs_in_and_anyone_from_the_domain_joins_as_leader_when_the_district_allows(
        client, provider, alder_sso, district_a):
    make_user("maria", district_a, Membership.Role.DISTRICT_ADMIN, email="maria@alder.example")
    provider.person("maria@alder.example", name="Maria Lopez")
    response, _ = sign_in_with_school_account(client, provider, "maria@alder.example")
    assert response["Location"] == reverse("dashboard") and signed_in(client)
    assert User.objects.get(email="maria@alder.example").membership.role == Membership.Role.DISTRICT_ADMIN
    client.post(reverse("logout"))

    DistrictSignIn.objects.filter(pk=alder_sso.pk).update(auto_join_as_leader=True)
    provider.person("bea@alder.example", name="Bea Kim")
    response, _ = sign_in_with_school_account(client, provider, "bea@alder.example")
    assert response["Location"] == reverse("dashboard") and signed_in(client)
    bea = User.objects.get(email="bea@alder.example")
    assert bea.membership.district == district_a and bea.membership.role == Membership.Role.LEADER


@pytest.mark.django_db
def test_a_foreign_domain_is_refused_with_a_clear_page_and_logged(client, provider, alder_sso, district_a, caplog):
    DistrictSignIn.objects.filter(pk=alder_sso.pk).update(auto_join_as_leader=True)
    # The person typed an Alder address, but the provider answers for someone at another domain.
    provider.person("eve@elsewhere.example", name="Eve Stone")
    with caplog.at_level(logging.WARNING, logger="accounts.signin"):
        response, _ = sign_in_with_school_account(client, provider, "eve@alder.example")
    assert response.status_code == 403 and not signed_in(client)
    assert "We could not sign you in with your school account" in response.content.decode()
    assert not User.objects.filter(email="eve@elsewhere.example").exists()
    assert "Single sign-on refused (not_invited)" in caplog.text


@pytest.mark.django_db
def test_an_unverified_email_is_refused_even_with_an_invitation(client, provider, alder_sso, district_a,
                                                               district_admin, caplog):
    invite(district_a, "ana@alder.example", Membership.Role.LEADER, district_admin)
    provider.person("ana@alder.example", email_verified=False)
    with caplog.at_level(logging.WARNING, logger="accounts.signin"):
        response, _ = sign_in_with_school_account(client, provider, "ana@alder.example")
    assert response.status_code == 403 and not signed_in(client)
    assert "did not confirm your email address" in response.content.decode()
    assert not User.objects.filter(email="ana@alder.example").exists()
    assert "Single sign-on refused (unverified)" in caplog.text


@pytest.mark.parametrize("spoil", ["foreign_key", "wrong_audience"])
@pytest.mark.django_db
def test_a_tampered_id_token_is_refused_and_logged(client, provider, alder_sso, district_a, district_admin, spoil,
                                                   caplog):
    make_user("maria", district_a, Membership.Role.LEADER, email="maria@alder.example")
    provider.person("maria@alder.example", spoil=spoil)
    with caplog.at_level(logging.WARNING, logger="accounts.signin"):
        response, _ = sign_in_with_school_account(client, provider, "maria@alder.example")
    assert response.status_code == 401 and not signed_in(client)
    assert "could not sign you in" in response.content.decode().lower()
    assert "Single sign-on failed" in caplog.text


@pytest.mark.django_db
def test_a_replayed_state_is_refused(client, provider, alder_sso, district_a, caplog):
    make_user("maria", district_a, Membership.Role.LEADER, email="maria@alder.example")
    provider.person("maria@alder.example")
    response, callback = sign_in_with_school_account(client, provider, "maria@alder.example")
    assert response["Location"] == reverse("dashboard")
    client.post(reverse("logout"))
    # Someone who saw that answer replays it into a sign-in of their own (a new state is waiting there).
    start(client, "maria@alder.example")
    with caplog.at_level(logging.WARNING, logger="accounts.signin"):
        replay = come_back(client, callback)
    assert replay.status_code == 401 and not signed_in(client)
    assert "could not sign you in" in replay.content.decode().lower()
    assert "Single sign-on failed" in caplog.text


@pytest.mark.django_db
def test_deactivated_or_in_another_district_is_refused_with_whom_to_ask(client, provider, alder_sso, district_a,
                                                                        district_b, district_admin):
    make_user("gone", district_a, Membership.Role.LEADER, email="gone@alder.example", is_active=False)
    provider.person("gone@alder.example")
    response, _ = sign_in_with_school_account(client, provider, "gone@alder.example")
    assert response.status_code == 403 and "This account is switched off" in response.content.decode()
    assert district_admin.username in response.content.decode() and not signed_in(client)

    make_user("moved", district_b, Membership.Role.LEADER, email="moved@alder.example")
    invite(district_a, "moved@alder.example", Membership.Role.LEADER, district_admin)
    provider.person("moved@alder.example")
    response, _ = sign_in_with_school_account(client, provider, "moved@alder.example")
    assert response.status_code == 403 and "already belongs to another district" in response.content.decode()
    assert User.objects.get(email="moved@alder.example").membership.district == district_b


@pytest.mark.django_db
def test_an_address_whose_domain_has_no_single_sign_on_is_told_so_on_the_sign_in_page(client, alder_sso):
    response = client.post(reverse("school_account"), {"email": "ana@nowhere.example"})
    page = response.content.decode()
    assert response.status_code == 200 and "has not set up single sign-on" in page and "ana@nowhere.example" in page
    # A provider cannot be started for a district the person's address did not lead to.
    fresh = client.get(reverse("openid_connect_login", kwargs={"provider_id": "district-alder"}))
    assert fresh.status_code == 404


@pytest.mark.django_db
def test_a_districts_provider_never_vouches_for_a_site_staff_account(client, provider, alder_sso, district_a,
                                                                     district_admin):
    make_user("root", email="root@alder.example", is_staff=True, is_superuser=True)
    invite(district_a, "root@alder.example", Membership.Role.LEADER, district_admin)
    DistrictSignIn.objects.filter(pk=alder_sso.pk).update(auto_join_as_leader=True)
    provider.person("root@alder.example")
    response, _ = sign_in_with_school_account(client, provider, "root@alder.example")
    assert response.status_code == 403 and not signed_in(client)
    assert "Site staff sign in with their password" in response.content.decode()
    assert not Membership.objects.filter(user__username="root").exists()


@pytest.mark.django_db
def test_the_invitation_page_offers_the_school_account_and_it_joins_the_person_by_that_invitation(
        client, provider, alder_sso, district_a, district_admin):
    token = secrets.token_urlsafe(16)
    invitation = Invitation.objects.create(district=district_a, email="ben@alder.example", role=Membership.Role.LEADER,
                                           invited_by=district_admin, token_hash=people_hash(token))
    page = client.get(reverse("join", args=[token])).content.decode()
    assert "Join with your school account" in page and 'name="email" value="ben@alder.example"' in page

    provider.person("ben@alder.example", name="Ben Ortiz")
    response, _ = sign_in_with_school_account(client, provider, "ben@alder.example")
    assert response["Location"] == reverse("dashboard")
    ben = User.objects.get(email="ben@alder.example")
    assert ben.membership.district == district_a and ben.membership.role == Membership.Role.LEADER
    invitation.refresh_from_db()
    assert invitation.accepted_by == ben


@pytest.mark.django_db
def test_an_invitation_to_an_address_outside_the_districts_domains_offers_only_a_password(
        client, alder_sso, district_a, district_admin):
    token = secrets.token_urlsafe(16)
    Invitation.objects.create(district=district_a, email="guest@elsewhere.example", role=Membership.Role.LEADER,
                              invited_by=district_admin, token_hash=people_hash(token))
    page = client.get(reverse("join", args=[token])).content.decode()
    assert "Join with your school account" not in page and 'name="password1"' in page
