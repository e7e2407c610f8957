"""allauth adapters: closed sign-up, email through the outbox, lockout, and who single sign-on lets in.

Single sign-on decides in `pre_social_login`, before allauth signs anyone in or makes an account:
- an existing member of the provider's district signs in;
- a verified address with an open invitation to that district joins by it (people.services.join_by_invitation);
- a verified address at one of the district's domains, when the district allows it, joins as a leader;
- anyone else (unverified email, foreign domain, deactivated, in another district, site staff: a district's
  provider never vouches for a site account) gets a page that says why, and the refusal is logged.
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from assetlens.models import Membership
from outbox import services as outbox
from people import selectors as people_selectors
from people import services as people_services

from . import devices, selectors, services
from .models import DistrictSignIn

log = logging.getLogger("accounts.signin")

SSO_APP_SESSION_KEY = "assetlens_sso_app"
MAIL_KINDS = {"account/email/password_reset_key": "password_reset"}


def _typed_login(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # people join by invitation (/join/…) or their district's single sign-on

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Rendered by allauth in the recipient's language, then queued: a worker sends it after commit."""
        user = User.objects.select_related("membership__district").filter(email__iexact=email).first()
        membership = getattr(user, "membership", None) if user is not None else None
        language = membership.language if membership is not None else translation.get_language()
        with translation.override(language):
            ctx = {"email": email, "site_name": "AssetLens", **context}
            message = self.render_mail(template_prefix, email, ctx)
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next((str(body) for body, kind in message.alternatives if kind == "text/html"), "")
        letter = outbox.Letter(subject=str(message.subject)[:300], text=str(message.body), html=html)
        outbox.queue_mail(email, letter, kind=MAIL_KINDS.get(template_prefix, "account"),
                          district=membership.district if membership is not None else None)

    def format_email_subject(self, subject: str) -> str:
        return f"AssetLens: {subject}"

    # --- Lockout: accounts.lockout decides, accounts.services counts ---------------------------------------

    def _attempt(self, request: HttpRequest, credentials: dict) -> tuple[str, str, str | None]:
        account = selectors.account_key(_typed_login(credentials))
        device = devices.known_device(request, account)
        return account, self.get_client_ip(request), device

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        account, address, device = self._attempt(request, credentials)
        pause = selectors.sign_in_pause(account, address, device)
        if pause is not None:
            log.warning("Sign-in paused (%s) for %s from %s until %s", pause.reason, account, address, pause.until)
            raise ImmediateHttpResponse(render(request, "account/locked_out.html", {"pause": pause}, status=429))

    def authentication_failed(self, request: HttpRequest, **credentials) -> None:
        services.record_failed_sign_in(*self._attempt(request, credentials))

    def respond_user_inactive(self, request: HttpRequest, user):
        """A deactivated person: refused, told whom to ask (their district's admins)."""
        log.warning("Deactivated account %s refused at sign-in", user.pk)
        return render(request, "account/account_inactive.html", deactivated_context(user), status=403)


MICROSOFT_SHARED_TENANTS = {"", "common", "organizations", "consumers"}


def verified_emails(sociallogin: SocialLogin, sign_in: DistrictSignIn) -> list[str]:
    """Addresses the provider vouches for. Google and OpenID Connect say so (`email_verified`). Microsoft Graph
    does not: its address is trusted only from the district's own directory (tenant) and at the district's
    domains, since any other directory's admin can type any address into an account there."""
    emails = [address.email.strip().lower() for address in sociallogin.email_addresses
              if address.verified and address.email]
    app = sociallogin.provider.app if sociallogin.provider is not None else None
    if not emails and app is not None and app.provider == DistrictSignIn.Provider.MICROSOFT:
        if str(app.settings.get("tenant", "")).lower() not in MICROSOFT_SHARED_TENANTS:
            typed = [address.email for address in sociallogin.email_addresses if address.email]
            typed += [sociallogin.user.email] if sociallogin.user.email else []
            emails = [email.strip().lower() for email in typed if selectors.domain_of(email) in sign_in.domains]
    return emails


def deactivated_context(user: User) -> dict:
    membership = Membership.objects.select_related("district").filter(user=user).first()
    admins = selectors.district_admins(membership.district_id) if membership is not None else []
    return {"district": membership.district if membership is not None else None, "admins": admins}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """Only the provider of the district the person's address led to ("Use your school account"): no page
        lists every district's providers, and a flow cannot be started against another district's."""
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        if request is None:
            return apps
        chosen = request.session.get(SSO_APP_SESSION_KEY)
        return [app for app in apps if app.pk is not None and app.pk == chosen]

    def get_app(self, request, provider, client_id=None):
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404(_("Start single sign-on from the sign-in page with your school email address.")) from None

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return getattr(sociallogin, "assetlens_admission", None) is not None

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        app = sociallogin.provider.app if sociallogin.provider is not None else None
        sign_in = selectors.sign_in_for_social_app(app.pk if app is not None else None)
        if sign_in is None:
            self._refuse(request, sociallogin, "no_district", None)
        district = sign_in.district
        if sociallogin.state.get("process") != "login":
            self._refuse(request, sociallogin, "not_login", sign_in)  # linking accounts by hand is not offered
        if sociallogin.is_existing:
            self._admit_member(request, sociallogin, sociallogin.user, sign_in)
            return
        emails = verified_emails(sociallogin, sign_in)
        if not emails:
            self._refuse(request, sociallogin, "unverified", sign_in)
        email = emails[0]
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        invitation = next((inv for inv in people_selectors.open_invitations_for_email(email)
                           if inv.district_id == district.pk), None)
        by_domain = sign_in.auto_join_as_leader and selectors.domain_of(email) in sign_in.domains
        if user is not None:
            if user.is_staff or user.is_superuser:
                # A district's provider (configured by that district) must never vouch for a site account.
                self._refuse(request, sociallogin, "staff", sign_in)
            membership = Membership.objects.filter(user=user).first()
            if membership is None and user.is_active and (invitation is not None or by_domain):
                self._join(request, sociallogin, user, sign_in, invitation)
            self._admit_member(request, sociallogin, user, sign_in)
            sociallogin.connect(request, user)
            return
        if invitation is None and not by_domain:
            self._refuse(request, sociallogin, "not_invited", sign_in, email=email)
        # A new account: allauth makes it (auto sign-up), then save_user below joins the district.
        sociallogin.assetlens_admission = (sign_in.pk, invitation.pk if invitation is not None else None)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        sign_in_id, invitation_id = sociallogin.assetlens_admission
        sign_in = DistrictSignIn.objects.select_related("district").get(pk=sign_in_id)
        invitation = next((inv for inv in people_selectors.open_invitations_for_email(user.email)
                           if inv.pk == invitation_id), None)
        self._join(request, sociallogin, user, sign_in, invitation)
        return user

    def _join(self, request, sociallogin, user, sign_in, invitation):
        try:
            if invitation is not None:
                people_services.join_by_invitation(invitation.pk, user)
            else:
                services.join_by_domain(sign_in.district, user)
        except people_services.InvitationClosed:
            self._refuse(request, sociallogin, "invitation_closed", sign_in)
        except people_services.AlreadyInAnotherDistrict:
            self._refuse(request, sociallogin, "other_district", sign_in)
        log.info("Single sign-on: user %s joined district %s (%s)", user.pk, sign_in.district_id,
                 "invitation" if invitation is not None else "domain")

    def _admit_member(self, request, sociallogin, user, sign_in):
        if user.is_staff or user.is_superuser:
            self._refuse(request, sociallogin, "staff", sign_in)
        if not user.is_active:
            log.warning("Single sign-on refused: deactivated user %s, district %s", user.pk, sign_in.district_id)
            raise ImmediateHttpResponse(render(request, "account/account_inactive.html", deactivated_context(user),
                                               status=403))
        membership = Membership.objects.filter(user=user).first()
        if membership is None:
            self._refuse(request, sociallogin, "not_invited", sign_in, email=user.email)
        elif membership.district_id != sign_in.district_id:
            self._refuse(request, sociallogin, "other_district", sign_in)

    def _refuse(self, request, sociallogin, reason, sign_in, email=""):
        provider = sociallogin.provider.id if sociallogin.provider is not None else "?"
        log.warning("Single sign-on refused (%s): provider %s, district %s, domain %s", reason, provider,
                    sign_in.district_id if sign_in is not None else None, selectors.domain_of(email) or "-")
        district = sign_in.district if sign_in is not None else None
        admins = selectors.district_admins(district.pk) if district is not None else []
        raise ImmediateHttpResponse(render(request, "account/sso_refused.html",
                                           {"reason": reason, "district": district, "admins": admins}, status=403))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        log.warning("Single sign-on failed at provider %s: %s %r", getattr(provider, "id", provider), error,
                    exception)
