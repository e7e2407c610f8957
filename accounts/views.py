"""Sign-in pages of our own: "Use your school account" and a district's sign-in settings."""

import logging

import requests
from allauth.account.forms import LoginForm
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assetlens.models import Membership
from assetlens.tenancy import role_required

from . import selectors, services
from .adapters import SSO_APP_SESSION_KEY
from .forms import DistrictTimeZoneForm, SchoolAccountForm, SignInSettingsForm

log = logging.getLogger("accounts.signin")


def _login_page(request, school_form, status):
    return render(request, "account/login.html", {"form": LoginForm(request=request), "school_form": school_form,
                                                  "redirect_field_value": _next_url(request)}, status=status)


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    return url if url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()) else ""


@require_POST
def school_account(request):
    """The person types their school address; its domain finds their district's provider; off they go."""
    form = SchoolAccountForm(request.POST)
    if not form.is_valid():
        return _login_page(request, form, 400)
    sign_in = selectors.sign_in_for_email(form.cleaned_data["email"])
    if sign_in is None:
        form.add_error("email", _("Your school has not set up single sign-on for this address. Sign in with your "
                                  "password, or ask your district admin for an invitation."))
        return _login_page(request, form, 200)
    app = sign_in.social_app
    request.session[SSO_APP_SESSION_KEY] = app.pk
    provider = get_social_adapter(request).get_provider(request, app.provider_id or app.provider)
    auth_params = {**provider.get_auth_params(), "login_hint": form.cleaned_data["email"]}
    try:
        response = provider.redirect(request, process="login", next_url=_next_url(request) or None,
                                     auth_params=auth_params)
    except (requests.RequestException, OAuth2Error, KeyError, ValueError) as exc:
        log.warning("Single sign-on provider of district %s did not answer: %r", sign_in.district_id, exc)
        form.add_error(None, _("Your school's sign-in service did not answer. Try again in a few minutes, or "
                               "sign in with your password."))
        return _login_page(request, form, 503)
    if response.status_code != 302:
        return response  # allauth's own error page
    # A page of ours that moves on at once (meta refresh), not a redirect: the sign-in page's Content-Security-
    # Policy allows forms to post to our own origin only, and browsers apply that to where a form's answer
    # redirects, so a 302 to the school's provider would be blocked.
    return render(request, "accounts/school_redirect.html", {"provider_url": response["Location"],
                                                             "district": sign_in.district})


def not_here(request, *args, **kwargs):
    """allauth pages AssetLens does not offer: a person's address is their district's to change (it is how an
    invitation and single sign-on find them), and school accounts are linked by signing in with them."""
    return render(request, "accounts/not_here.html", status=404)


def _redirect_uris(request, district):
    return [
        (_("Google Workspace"), request.build_absolute_uri(reverse("google_callback"))),
        (_("Microsoft Entra ID"), request.build_absolute_uri(reverse("microsoft_callback"))),
        (_("OpenID Connect"), request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": f"district-{district.slug}"}))),
    ]


@role_required(Membership.Role.DISTRICT_ADMIN)
def sign_in_settings(request):
    """A district admin sets up single sign-on, the district's domains and the two-step rule for admins."""
    district = request.district
    current = selectors.sign_in_for_district(district)
    app = current.social_app if current is not None else None
    initial = {
        "provider": app.provider if app is not None else "",
        "client_id": app.client_id if app is not None else "",
        "server_url": app.settings.get("server_url", "") if app is not None else "",
        "tenant": app.settings.get("tenant", "") if app is not None else "",
        "domains": "\n".join(current.domains) if current is not None else "",
        "auto_join_as_leader": current.auto_join_as_leader if current is not None else False,
        "require_two_step_for_admins": current.require_two_step_for_admins if current is not None else False,
    }
    has_secret = bool(app is not None and app.secret)
    form = SignInSettingsForm(request.POST if request.method == "POST" else None, initial=initial,
                              has_secret=has_secret)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_sign_in_settings(district, services.SingleSignOn(
                    provider=data["provider"], client_id=data["client_id"].strip(), secret=data["secret"],
                    server_url=data["server_url"], tenant=data["tenant"].strip(), domains=data["domains"],
                    auto_join_as_leader=data["auto_join_as_leader"],
                    require_two_step_for_admins=data["require_two_step_for_admins"]))
            except services.DomainTaken as taken:
                form.add_error("domains", _("%(domain)s already belongs to another district. Ask AssetLens "
                                            "support if it is yours.") % {"domain": taken.domain})
            else:
                messages.success(request, _("Sign-in settings saved."))
                return redirect("sign_in_settings")
        status = 400
    return render(request, "accounts/sign_in_settings.html",
                  {"form": form, "has_secret": has_secret, "redirect_uris": _redirect_uris(request, district)},
                  status=status)


@role_required(Membership.Role.DISTRICT_ADMIN)
def district_settings(request):
    """A district admin sets the district's time zone: every date its people see is shown in it."""
    district = request.district
    form = DistrictTimeZoneForm(request.POST if request.method == "POST" else None,
                                initial={"time_zone": district.time_zone})
    if request.method == "POST":
        if form.is_valid():
            services.save_district_time_zone(district, form.cleaned_data["time_zone"])
            messages.success(request, _("Time zone saved: dates now read in %(zone)s.")
                             % {"zone": form.cleaned_data["time_zone"].replace("_", " ")})
            return redirect("district_settings")
        return render(request, "accounts/district_settings.html", {"form": form}, status=400)
    return render(request, "accounts/district_settings.html", {"form": form})
