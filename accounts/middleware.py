"""Site staff (and a district's admins, when the district asks for it) set up two-step sign-in before anything
else: every page but the setup pages, signing out and static files sends them to set it up."""

from allauth.mfa.utils import is_mfa_enabled
from django.shortcuts import redirect

from . import selectors

SETUP_PATHS = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/static/", "/i18n/",
               "/health/", "/ping/")


class TwoStepRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(SETUP_PATHS)
                and selectors.two_step_required(user, getattr(request, "membership", None))
                and not is_mfa_enabled(user)):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
