"""Resolve the signed-in person's district once per request; views look every row up through it."""

import zoneinfo
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Membership


class DistrictMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.district = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                membership = user.membership  # loaded with the user (assetlens.auth.ModelBackend)
            except Membership.DoesNotExist:
                membership = None
            if membership is not None:
                request.membership = membership
                request.district = membership.district
        if request.district is None:
            return self.get_response(request)
        # Every date on the page, in every template and in code that calls localtime(), reads in the district's
        # zone; reset after the response so a worker thread's next request does not inherit it.
        timezone.activate(district_zone(request.district.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


@lru_cache(maxsize=64)
def district_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of that IANA name; the site's own zone if the name is unknown (a tzdata release dropped it)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def district_context(request):
    return {
        "current_district": getattr(request, "district", None),
        "current_membership": getattr(request, "membership", None),
    }


def district_required(view):
    """Signed in and a member of a district; anyone else is sent to sign in or told what is missing."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.district is None:
            return render(request, "no_district.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles):
    def decorator(view):
        @district_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.membership.role not in roles:
                raise PermissionDenied(_("Your role in this district does not include this."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def staff_required(view):
    """Site staff only: the pages that look across districts. Anyone else gets a 403 that says why."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied(_("Only site staff see every district."))
        return view(request, *args, **kwargs)

    return wrapper


def staff_start_at_districts(view):
    """Site staff outside any district have no audits of their own: their home page is the list of districts,
    not a dead end. Everyone else goes on to the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff and request.district is None:
            return redirect("district_overview")
        return view(request, *args, **kwargs)

    return wrapper
