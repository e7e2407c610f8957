"""Every email AssetLens sends is a row first: the page that asks for it answers at once, a worker delivers it,
and a district admin can see what has not been delivered yet."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingMail(models.Model):
    MAX_ATTEMPTS = 6

    class Status(models.TextChoices):
        QUEUED = "queued", _("Not delivered yet")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Delivered to the mail server")
        FAILED = "failed", _("Could not be delivered")

    # Site mail (a password reset before anyone knows the district) has no district.
    district = models.ForeignKey("assetlens.District", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    kind = models.CharField(max_length=40)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    # Extra headers, e.g. List-Unsubscribe on notifications (RFC 2369 and RFC 8058).
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # A delivery in progress holds the row until this time; after it, the sweep may take the mail over.
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_waiting")]

    def __str__(self):
        return f"{self.kind} → {self.to} ({self.status})"
