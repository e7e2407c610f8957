"""The sign-in pages in a real browser, in English and Spanish: WCAG 2.2 AA by axe-core, and the journeys work
with a keyboard-and-mouse person: forgot password, two-step set-up, a district admin's sign-in settings."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from assetlens.models import District, Membership
from tests.conftest import make_user
from tests.e2e.conftest import PASSWORD, check_accessibility, choose_language, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["en", "es"])
def test_sign_in_reset_and_error_pages_meet_wcag_aa(page, axe_source, spanish_messages, language):
    page.goto("/accounts/login/")
    if language != "en":
        choose_language(page, language)
    check_accessibility(page, axe_source, "sign-in page")
    # Bad input on both forms: the messages are read out with their fields.
    page.fill("#id_login", "nobody")
    page.fill("#id_password", "wrong")
    page.locator("#sign-in-button").click()
    page.wait_for_load_state()
    assert page.locator("#login-errors").is_visible() and page.locator("#id_login").input_value() == "nobody"
    check_accessibility(page, axe_source, "sign-in page with an error")
    page.fill("#id_school_email", "not an address")
    page.get_by_role("button", name=re.compile("school account|cuenta escolar")).click()
    page.wait_for_load_state()
    assert page.locator("#id_school_email").input_value() == "not an address"
    check_accessibility(page, axe_source, "school account with an error")

    page.goto("/accounts/login/")
    page.get_by_role("link", name=re.compile("Forgot your password|Olvidó su contraseña")).click()
    page.wait_for_load_state()
    check_accessibility(page, axe_source, "password reset request")
    page.fill("input[name=email]", "ana@alder.example")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/password/reset/done/" in page.url
    check_accessibility(page, axe_source, "password reset sent")
    page.goto("/accounts/password/reset/key/1-not-a-key/")
    assert page.locator("h1").inner_text() in {"This reset link no longer works",
                                               "Este enlace para restablecer ya no funciona"}
    check_accessibility(page, axe_source, "expired reset link")
    page.goto("/accounts/3rdparty/login/error/")
    check_accessibility(page, axe_source, "single sign-on failed")
    page.goto("/accounts/inactive/")
    check_accessibility(page, axe_source, "account switched off")
    assert page.console_problems == []


def test_two_step_set_up_and_the_sign_in_settings_meet_wcag_aa(page, axe_source, live_server):
    district = District.objects.create(name="Lakeview Unified", slug="lakeview")
    make_user("lakeview-admin", district, Membership.Role.DISTRICT_ADMIN, email="admin@lakeview.example")
    sign_in(page, "lakeview-admin")
    page.get_by_role("link", name="Sign-in settings").click()
    page.wait_for_load_state()
    check_accessibility(page, axe_source, "sign-in settings")
    page.select_option("#id_provider", "openid_connect")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    check_accessibility(page, axe_source, "sign-in settings with errors")

    page.get_by_role("link", name="Two-step sign-in").click()
    page.wait_for_load_state()
    check_accessibility(page, axe_source, "two-step sign-in")
    page.goto("/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        check_accessibility(page, axe_source, "confirm password")
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    check_accessibility(page, axe_source, "set up an authenticator app")
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page, axe_source, "after setting up")
    page.goto("/accounts/2fa/recovery-codes/")
    check_accessibility(page, axe_source, "recovery codes")
    assert page.console_problems == []


def test_an_invited_teacher_signs_in_with_the_school_account_in_a_real_browser(page, axe_source):
    """The whole round trip in Chromium: our sign-in page, the provider process's /authorize, allauth's callback."""
    from accounts import services
    from accounts.models import DistrictSignIn
    from people.models import Invitation
    from tests.accounts.test_single_sign_on import CLIENT_ID, CLIENT_SECRET, ProviderProcess

    provider = ProviderProcess()
    try:
        district = District.objects.create(name="Lakeview Unified", slug="lakeview")
        admin = make_user("lakeview-admin", district, Membership.Role.DISTRICT_ADMIN)
        services.save_sign_in_settings(district, services.SingleSignOn(
            provider=DistrictSignIn.Provider.OPENID_CONNECT, client_id=CLIENT_ID, secret=CLIENT_SECRET,
            server_url=provider.url, tenant="", domains=["lakeview.example"], auto_join_as_leader=False,
            require_two_step_for_admins=False))
        Invitation.objects.create(district=district, email="lee@lakeview.example", invited_by=admin,
                                  role=Membership.Role.COMMITTEE_MEMBER, token_hash="e2e-" + "0" * 60)
        provider.person("lee@lakeview.example", name="Lee Park")

        page.goto("/accounts/login/")
        page.fill("#id_school_email", "lee@lakeview.example")
        page.get_by_role("button", name="Continue with my school account").click()
        page.wait_for_url(re.compile(r"^http://[^/]+/$"))  # the dashboard, after the provider and the callback
        assert "Lakeview Unified" in page.locator("header").inner_text()
        assert "Lee Park" in page.locator("header").inner_text()
        check_accessibility(page, axe_source, "dashboard after single sign-on")
        assert page.console_problems == []
    finally:
        provider.stop()
