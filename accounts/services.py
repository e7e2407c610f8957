"""Write sign-in state: failed attempts, a district's single sign-on settings, joining by a school account."""

import logging
from dataclasses import dataclass
from datetime import datetime

from allauth.socialaccount.models import SocialApp
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from assetlens.models import District, Membership

from . import lockout
from .models import DistrictSignIn, EmailDomain, SignInFailures

log = logging.getLogger(__name__)


# --- Lockout ---------------------------------------------------------------------------------------------------

def _count(scope: str, key: str, now: datetime) -> None:
    for _attempt in range(2):  # a concurrent first failure may create the row between our read and insert
        try:
            with transaction.atomic():
                row = SignInFailures.objects.select_for_update().filter(scope=scope, key=key).first()
                if row is None:
                    SignInFailures.objects.create(scope=scope, key=key, failures=1, first_failure_at=now,
                                                  last_failure_at=now)
                    return
                restart = (lockout.address_window_over(row.first_failure_at, now)
                           if scope == SignInFailures.Scope.ADDRESS else lockout.forgotten(row.last_failure_at, now))
                if restart:
                    row.failures, row.first_failure_at = 1, now
                else:
                    row.failures += 1
                row.last_failure_at = now
                row.save(update_fields=["failures", "first_failure_at", "last_failure_at"])
                return
        except IntegrityError:
            continue


def record_failed_sign_in(account: str, address: str, device: str | None) -> None:
    """A wrong password: counted against the account (or this known browser's count of it) and the address."""
    now = timezone.now()
    if device:
        _count(SignInFailures.Scope.DEVICE, device, now)
    else:
        _count(SignInFailures.Scope.ACCOUNT, account, now)
    _count(SignInFailures.Scope.ADDRESS, address, now)


def clear_failed_sign_ins(user_id: int, device: str | None) -> None:
    """Signed in: the account's count starts again (the address's does not: one good sign-in must not let a
    spray from the same address go on)."""
    keys = [(SignInFailures.Scope.ACCOUNT, f"user:{user_id}")]
    if device:
        keys.append((SignInFailures.Scope.DEVICE, device))
    for scope, key in keys:
        SignInFailures.objects.filter(scope=scope, key=key).delete()


# --- A district's single sign-on -------------------------------------------------------------------------------

class DomainTaken(Exception):
    def __init__(self, domain: str):
        super().__init__(domain)
        self.domain = domain


@dataclass(frozen=True)
class SingleSignOn:
    provider: str  # DistrictSignIn.Provider
    client_id: str
    secret: str  # empty: keep the one saved
    server_url: str  # OpenID Connect: the issuer's address
    tenant: str  # Microsoft: the district's directory (tenant) id
    domains: list[str]
    auto_join_as_leader: bool
    require_two_step_for_admins: bool


def _app_settings(sso: SingleSignOn) -> dict[str, object]:
    if sso.provider == DistrictSignIn.Provider.OPENID_CONNECT:
        return {"server_url": sso.server_url}
    if sso.provider == DistrictSignIn.Provider.MICROSOFT:
        return {"tenant": sso.tenant}
    return {}


@transaction.atomic
def save_sign_in_settings(district: District, sso: SingleSignOn) -> DistrictSignIn:
    """One SocialApp per district; its OpenID Connect id is the district's slug, so each has its own callback.
    Raises DomainTaken when another district already has one of the domains."""
    sign_in, _ = DistrictSignIn.objects.select_for_update().get_or_create(district=district)
    for domain in sso.domains:
        if EmailDomain.objects.filter(domain=domain).exclude(sign_in=sign_in).exists():
            raise DomainTaken(domain)
    app = sign_in.social_app
    if sso.provider and sso.client_id:
        if app is None or app.provider != sso.provider:
            if app is not None:
                app.delete()
            app = SocialApp(provider=sso.provider)
        app.name = district.name[:40]  # SocialApp.name holds 40 characters
        app.provider_id = f"district-{district.slug}" if sso.provider == DistrictSignIn.Provider.OPENID_CONNECT else ""
        app.client_id = sso.client_id
        if sso.secret:
            app.secret = sso.secret
        app.settings = _app_settings(sso)
        app.save()
    sign_in.social_app = app
    sign_in.auto_join_as_leader = sso.auto_join_as_leader
    sign_in.require_two_step_for_admins = sso.require_two_step_for_admins
    sign_in.save()
    EmailDomain.objects.filter(sign_in=sign_in).exclude(domain__in=sso.domains).delete()
    for domain in sso.domains:
        EmailDomain.objects.get_or_create(sign_in=sign_in, domain=domain)
    return sign_in


def join_by_domain(district: District, user: User) -> Membership:
    """"Anyone from our domain joins as a leader": a first sign-in with a verified school address."""
    membership, _ = Membership.objects.get_or_create(user=user, defaults={"district": district,
                                                                          "role": Membership.Role.LEADER})
    return membership


def save_district_time_zone(district: District, time_zone: str) -> None:
    """`time_zone` is an IANA name the settings form has checked against the installed zones."""
    District.objects.filter(pk=district.pk).update(time_zone=time_zone)
    district.time_zone = time_zone
