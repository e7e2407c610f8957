"""Read a district's people and invitations."""

from django.utils import timezone

from .models import Invitation


def open_invitations_for_email(email: str) -> list[Invitation]:
    """Invitations this address may still accept (any district: single sign-on learns the district from it)."""
    return list(
        Invitation.objects.select_related("district")
        .filter(email=email.strip().lower(), accepted_at__isnull=True, revoked_at__isnull=True,
                expires_at__gt=timezone.now())
        .order_by("-created_at")
    )
