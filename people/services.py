"""Write a district's people: accepting an invitation makes the membership it promised."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from assetlens.models import Membership
from committees.models import CommitteeMember

from .models import Invitation


class InvitationClosed(Exception):
    """The invitation was used, revoked or expired in the meantime."""


class AlreadyInAnotherDistrict(Exception):
    """One district per person: an account that belongs elsewhere is never moved silently."""


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
    for committee in invitation.committees.all():
        CommitteeMember.objects.get_or_create(committee=committee, user=user)
    return membership
