"""Read sign-in state: which district an address's domain belongs to, who to ask, whether sign-in waits."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from assetlens.models import District, Membership

from . import lockout
from .models import DistrictSignIn, EmailDomain, SignInFailures


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def sign_in_for_email(email: str) -> DistrictSignIn | None:
    """The district sign-in whose domains include this address's, when single sign-on is set up there."""
    row = (EmailDomain.objects.select_related("sign_in__district", "sign_in__social_app")
           .filter(domain=domain_of(email), sign_in__social_app__isnull=False).first())
    return row.sign_in if row is not None else None


def sign_in_for_district(district: District) -> DistrictSignIn | None:
    return (DistrictSignIn.objects.select_related("social_app").prefetch_related("domain_rows")
            .filter(district=district).first())


def sign_in_for_social_app(app_id: int | None) -> DistrictSignIn | None:
    if app_id is None:
        return None
    return DistrictSignIn.objects.select_related("district").filter(social_app_id=app_id).first()


def district_admins(district_id: int) -> list[User]:
    """Active admins of a district: whom a deactivated or refused person should ask."""
    return list(User.objects.filter(membership__district_id=district_id, is_active=True,
                                    membership__role=Membership.Role.DISTRICT_ADMIN).order_by("first_name", "username"))


def two_step_required(user: User, membership: Membership | None) -> bool:
    """Site staff always; a district's admins when their district asks for it, unless they have no password and
    sign in only with the school account (whose provider runs its own two-step rules)."""
    if user.is_staff:
        return True
    if membership is None or not membership.is_district_admin or not user.has_usable_password():
        return False
    return DistrictSignIn.objects.filter(district_id=membership.district_id, require_two_step_for_admins=True).exists()


# --- Lockout ---------------------------------------------------------------------------------------------------

def account_key(login: str) -> str:
    """The account a typed login names (username or email), or a hash of what was typed when nobody has it."""
    typed = str(login).strip()
    user_id = (User.objects.filter(Q(username__iexact=typed) | Q(email__iexact=typed))
               .order_by("pk").values_list("pk", flat=True).first()) if typed else None
    if user_id is not None:
        return f"user:{user_id}"
    return "typed:" + hashlib.sha256(typed.lower().encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Pause:
    until: datetime
    reason: str  # "account" or "address"


def sign_in_pause(account: str, address: str, device: str | None, now: datetime | None = None) -> Pause | None:
    """Why and until when this attempt must wait, or None. `device` is set when this browser signed in as the
    account before: then its own count applies, and neither the account's nor the address's."""
    now = now or timezone.now()
    rows = {(row.scope, row.key): row for row in SignInFailures.objects.filter(
        Q(scope=SignInFailures.Scope.ADDRESS, key=address)
        | Q(scope=SignInFailures.Scope.DEVICE if device else SignInFailures.Scope.ACCOUNT,
            key=device if device else account))}
    free = settings.SIGNIN_ACCOUNT_FREE_FAILURES
    own = rows.get((SignInFailures.Scope.DEVICE, device) if device else (SignInFailures.Scope.ACCOUNT, account))
    if own is not None and not lockout.forgotten(own.last_failure_at, now):
        until = lockout.account_locked_until(own.failures, own.last_failure_at, free)
        if until is not None and until > now:
            return Pause(until, "account")
    here = rows.get((SignInFailures.Scope.ADDRESS, address))
    if device is None and here is not None and not lockout.address_window_over(here.first_failure_at, now):
        until = lockout.address_locked_until(here.failures, here.first_failure_at,
                                             settings.SIGNIN_ADDRESS_FAILURE_LIMIT)
        if until is not None and until > now:
            return Pause(until, "address")
    return None
