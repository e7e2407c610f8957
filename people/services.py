"""Write a district's people: invite them by email, let them join, change their role, deactivate them and bring
them back.

A district always keeps one active admin. Every change that could take the last one away (a new role,
deactivation) first locks the district's row, then counts: two admins demoting each other at the same moment
are served one after the other, and the second is refused.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from assetlens.models import District, Membership
from committees.models import Committee, CommitteeMember
from notifications import services as notifications
from outbox import services as outbox

from .models import Invitation, hash_token

INVITATION_LIFETIME = timedelta(days=7)
ADMIN = Membership.Role.DISTRICT_ADMIN


class InvitationClosed(Exception):
    """The invitation was used, revoked or expired in the meantime."""


class AlreadyInAnotherDistrict(Exception):
    """One district per person: an account that belongs elsewhere is never moved silently."""


class AccountExists(Exception):
    """An account already uses this address: its owner signs in and accepts, nobody takes it over with a link."""


class LastAdmin(Exception):
    """The change would leave the district without an active district admin."""


class NotYourself(Exception):
    """An admin cannot deactivate their own account (another admin can)."""


# --- Invitations --------------------------------------------------------------------------------------


def join_url(token: str) -> str:
    """The absolute link in the email: there is no request in the worker that sends it."""
    return f"{settings.SITE_URL}{reverse('join', args=[token])}"


@dataclass(frozen=True)
class InviteResult:
    email: str
    # "invited" (a new invitation), "resent" (the open one again, with a new link), "member_here" (already in
    # this district), "other_district" (their account belongs to another district: nothing sent).
    outcome: str
    invitation_id: int | None = None
    # The link's secret, for the command line (`create_district` prints the link); the database keeps its hash.
    token: str = ""


def invite(district: District, invited_by: User | None, emails: Sequence[str], role: str,
           committee_ids: Iterable[int] = (), language: str = settings.LANGUAGE_CODE) -> list[InviteResult]:
    """Invite each address once: a new invitation, or the open one resent with the role and committees chosen now.

    Nobody already in a district is invited: a member here is told so, an account of another district is named
    and left where it is. Each email is queued in the outbox and leaves after commit.
    """
    committees = list(Committee.objects.filter(district=district, pk__in=list(committee_ids)))
    results = []
    with transaction.atomic():
        # Two admins inviting the same address at once: the second waits and resends the first one's invitation.
        District.objects.select_for_update().get(pk=district.pk)
        addresses = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
        accounts = account_districts(addresses)
        for email in addresses:
            if email in accounts:
                outcome = "member_here" if district.pk in accounts[email] else "other_district"
                results.append(InviteResult(email, outcome))
                continue
            invitation = Invitation.objects.filter(district=district, email=email, accepted_at__isnull=True,
                                                    revoked_at__isnull=True).first()
            outcome = "resent" if invitation is not None else "invited"
            if invitation is None:
                invitation = Invitation(district=district, email=email)
            invitation.role, invitation.language, invitation.invited_by = role, language, invited_by
            token = _new_link(invitation)
            invitation.committees.set(committees)
            _send(invitation, token)
            results.append(InviteResult(email, outcome, invitation.pk, token))
    return results


def account_districts(emails: Iterable[str]) -> dict[str, set[int]]:
    """Addresses that already belong to a district: the district(s) their account is in. (An account without a
    district may be invited: its owner signs in and accepts.)"""
    wanted = Q()
    for email in {e.strip().lower() for e in emails}:
        wanted |= Q(email__iexact=email)
    found: dict[str, set[int]] = {}
    if not wanted:
        return found
    for email, district_id in (User.objects.filter(wanted, membership__isnull=False)
                               .values_list("email", "membership__district_id")):
        found.setdefault(email.lower(), set()).add(district_id)
    return found


def resend(invitation: Invitation) -> str:
    """A new link (the old one stops working) and seven more days, sent again. Returns the link's secret."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None or locked.revoked_at is not None:
            raise InvitationClosed
        token = _new_link(locked)
        _send(locked, token)
    return token


def revoke(invitation: Invitation) -> bool:
    """The link stops working at once. False when it was accepted or revoked already."""
    return bool(Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True)
                .update(revoked_at=timezone.now()))


def restore(invitation: Invitation) -> bool:
    """Undo a revoke: the same link works again (until it expires). False when the address was invited again
    since, or the invitation was never revoked."""
    with transaction.atomic():
        if Invitation.objects.filter(district=invitation.district_id, email=invitation.email,
                                     accepted_at__isnull=True, revoked_at__isnull=True).exists():
            return False
        return bool(Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=False)
                    .update(revoked_at=None))


def _new_link(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.save()
    return token


def _send(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by
    letter = outbox.compose("people/email/invitation", {
        "invitation": invitation, "district_name": invitation.district.name, "link": join_url(token),
        "inviter": (inviter.get_full_name() or inviter.email or inviter.username) if inviter else "",
    }, invitation.language)
    invitation.mail = outbox.queue_mail(invitation.email, letter, kind="invitation", district=invitation.district)
    invitation.save(update_fields=["mail"])


# --- Joining ------------------------------------------------------------------------------------------


@transaction.atomic
def join_by_invitation(invitation_id: int, user: User) -> Membership:
    """Claim the invitation once (conditional UPDATE) and give the person the role and committees it names."""
    now = timezone.now()
    claimed = Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True,
                                        expires_at__gt=now).update(accepted_at=now, accepted_by=user)
    if not claimed:
        raise InvitationClosed
    invitation = Invitation.objects.select_related("district").get(pk=invitation_id)
    existing = Membership.objects.filter(user=user).first()
    if existing is not None and existing.district_id != invitation.district_id:
        raise AlreadyInAnotherDistrict
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"district": invitation.district, "role": invitation.role,
                             "language": invitation.language})
    for committee in invitation.committees.filter(district=invitation.district):
        CommitteeMember.objects.get_or_create(committee=committee, user=user)
    notifications.invitation_accepted(invitation.pk)  # the admin who sent it hears, once this commits
    return membership


def accept_invitation(invitation_id: int, first_name: str, last_name: str, password: str) -> User:
    """A new account for the invited address, with the password they chose, in the invitation's district.

    One transaction: if the link was used a moment ago in another tab, no account is left behind."""
    with transaction.atomic():
        invitation = Invitation.objects.get(pk=invitation_id)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise AccountExists
        user = User(username=_username_for(invitation.email), email=invitation.email,
                    first_name=first_name.strip()[:150], last_name=last_name.strip()[:150])
        user.set_password(password)
        user.save()
        join_by_invitation(invitation_id, user)
    return user


def _username_for(email: str) -> str:
    """People sign in with their address; a username longer than Django allows gets a short unique one."""
    username = email if len(email) <= 150 else f"{email[:100]}-{secrets.token_hex(8)}"
    while User.objects.filter(username__iexact=username).exists():
        username = f"{email[:100]}-{secrets.token_hex(4)}"
    return username


# --- Roles and leaving --------------------------------------------------------------------------------


def _locked_member(membership: Membership) -> Membership:
    """Lock the district's row (every admin change takes it first), then read the membership afresh."""
    District.objects.select_for_update().get(pk=membership.district_id)
    return Membership.objects.select_related("user").get(pk=membership.pk, district_id=membership.district_id)


def _other_active_admins(membership: Membership) -> bool:
    return (Membership.objects.filter(district_id=membership.district_id, role=ADMIN, user__is_active=True)
            .exclude(pk=membership.pk).exists())


def change_role(membership: Membership, role: str) -> Membership:
    with transaction.atomic():
        member = _locked_member(membership)
        if (member.role == ADMIN and role != ADMIN and member.user.is_active
                and not _other_active_admins(member)):
            raise LastAdmin
        member.role = role
        member.save(update_fields=["role"])
    return member


def deactivate(membership: Membership, by: User) -> int:
    """Signed out everywhere at once: the account refuses sign-in (the auth backend skips inactive people on every
    request) and every session of theirs is deleted. Their audits and comments stay theirs. Returns the number
    of sessions ended."""
    with transaction.atomic():
        member = _locked_member(membership)
        if member.user_id == by.pk:
            raise NotYourself
        if member.role == ADMIN and member.user.is_active and not _other_active_admins(member):
            raise LastAdmin
        User.objects.filter(pk=member.user_id).update(is_active=False)
        return end_sessions(member.user_id)


def reactivate(membership: Membership) -> None:
    with transaction.atomic():
        member = _locked_member(membership)
        User.objects.filter(pk=member.user_id).update(is_active=True)


def end_sessions(user_id: int) -> int:
    """Delete every session that signs `user_id` in, through the configured session engine so a cached copy
    (cached_db) goes too. Sessions keep the user id inside their signed data, so each live one is read: fine for
    a district's few thousand sessions, and deactivation is rare."""
    engine = import_module(settings.SESSION_ENGINE)
    ended = 0
    rows = Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data")
    for key, data in rows.iterator(chunk_size=500):
        store = engine.SessionStore(key)
        if str(store.decode(data).get(SESSION_KEY)) == str(user_id):
            store.delete(key)
            ended += 1
    return ended


# --- A new district -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewDistrict:
    district: District
    admin: User | None  # made directly (with a password)
    invitation: InviteResult | None  # or invited by email


def create_district(name: str, admin_email: str, password: str | None = None,
                    language: str = settings.LANGUAGE_CODE) -> NewDistrict:
    """A district and its first admin: made at once with a password, or invited by email (the link is returned)."""
    email = admin_email.strip().lower()
    with transaction.atomic():
        if District.objects.filter(name__iexact=name.strip()).exists():
            raise ValueError(f"A district called {name.strip()!r} already exists.")
        if account_districts([email]):
            raise AlreadyInAnotherDistrict
        district = District.objects.create(name=name.strip(), slug=_free_slug(name))
        if password is None:
            [result] = invite(district, None, [email], ADMIN, language=language)
            return NewDistrict(district, None, result)
        user = User.objects.filter(email__iexact=email, membership__isnull=True).first()
        if user is None:
            user = User(username=_username_for(email), email=email)
        user.set_password(password)
        user.is_active = True
        user.save()
        Membership.objects.create(user=user, district=district, role=ADMIN, language=language)
    return NewDistrict(district, user, None)


def _free_slug(name: str) -> str:
    base = slugify(name)[:40] or "district"
    slug, n = base, 2
    while District.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
