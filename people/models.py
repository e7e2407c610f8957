"""A district's people come in by invitation: one address, one role, one single-use link that expires."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assetlens.models import District, Membership


def hash_token(token: str) -> str:
    """What is stored of an invitation link's secret, and how a link is looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def seven_days_from_now():
    return timezone.now() + timedelta(days=7)


class Invitation(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="invitations")
    # Stored lower-cased: one open invitation per address and district.
    email = models.EmailField(_("email address"), max_length=254)
    role = models.CharField(_("role"), max_length=32, choices=Membership.Role.choices, default=Membership.Role.LEADER)
    language = models.CharField(_("language of the email"), max_length=8, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    committees = models.ManyToManyField("committees.Committee", blank=True, related_name="+")
    # Only a hash of the link's secret is kept: a copy of the database cannot be used to join a district.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=seven_days_from_now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The latest email sent for it: the People page says "not delivered yet" while the mail server is down.
    mail = models.ForeignKey("outbox.OutgoingMail", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["district", "email"], condition=models.Q(accepted_at__isnull=True,
                                    revoked_at__isnull=True), name="one_open_invitation_per_address"),
        ]

    def __str__(self):
        return f"{self.email} → {self.district} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
