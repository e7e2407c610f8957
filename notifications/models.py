"""What a person is told about: a row per notification, shown in the app and, as they choose, emailed at once or
gathered into a daily digest."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a person chooses how to hear about (and unsubscribes from)."""

    AUDIT_REQUESTS = "audit_requests", _("Requests to audit a product")
    REMINDERS = "reminders", _("Reminders when an audit is due soon or overdue")
    REPORTS = "reports", _("Comparison reports you asked for: ready or failed")
    DECISIONS = "decisions", _("Decisions of committees you serve on")
    COMMENTS = "comments", _("Comments on your committees' reports")
    INVITATIONS = "invitations", _("Invitations you sent that were accepted")
    VENDOR_CHANGES = "vendor_changes", _("Changes to the vendor pages of products you audited")


class Delivery(models.TextChoices):
    EMAIL = "email", _("Email me now")
    DIGEST = "digest", _("One email a day (daily digest)")
    APP = "app", _("In AssetLens only")


# Asked-for work and reports are worth an email at once; a report's discussion can wait for the day's digest.
DEFAULT_DELIVERY = {
    Kind.AUDIT_REQUESTS: Delivery.EMAIL,
    Kind.REMINDERS: Delivery.EMAIL,
    Kind.REPORTS: Delivery.EMAIL,
    Kind.DECISIONS: Delivery.EMAIL,
    Kind.COMMENTS: Delivery.DIGEST,
    Kind.INVITATIONS: Delivery.EMAIL,
    # A vendor rewording its page is worth knowing, rarely worth an email of its own.
    Kind.VENDOR_CHANGES: Delivery.DIGEST,
}


class Notification(models.Model):
    class Event(models.TextChoices):
        AUDIT_REQUESTED = "audit_requested", _("Asked to audit a product")
        AUDIT_DUE_SOON = "audit_due_soon", _("Audit due in two days")
        AUDIT_OVERDUE = "audit_overdue", _("Audit overdue")
        REPORT_READY = "report_ready", _("Comparison report ready")
        REPORT_FAILED = "report_failed", _("Comparison report failed")
        DECISION_RECORDED = "decision_recorded", _("Decision recorded")
        DECISION_PROPOSED = "decision_proposed", _("Decision proposed")
        DECISION_CARRIED = "decision_carried", _("Decision carried")
        # For a member blind to the product: that something happened, not what (it opens after their audit).
        DECISION_HELD = "decision_held", _("Decision held until your audit")
        COMMENT_HELD = "comment_held", _("Comment held until your audit")
        COMMENT_POSTED = "comment_posted", _("Comment on a report")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        VENDOR_COPY_CHANGED = "vendor_copy_changed", _("Vendor copy changed")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    event = models.CharField(max_length=24, choices=Event.choices)
    # Names and dates as they were (plain data), worded in the reader's language when shown or emailed.
    params = models.JSONField(default=dict, blank=True)
    # The page it is about (a path on this site).
    link = models.CharField(max_length=300)
    # What happened, once: a hook or a periodic task run twice finds the row and tells nobody twice.
    dedupe_key = models.CharField(max_length=120)
    # How it was to reach them, as chosen when it was made.
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # A digest notification is gathered into one day's email once: set when a digest took it.
    digested_at = models.DateTimeField(null=True, blank=True)
    mail = models.ForeignKey("outbox.OutgoingMail", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notify_once"),
        ]
        indexes = [
            # The header's unread count on every page reads this small index only.
            models.Index(fields=["recipient", "district"], condition=Q(read_at__isnull=True),
                         name="notification_unread"),
            models.Index(fields=["recipient", "district", "-created_at"], name="notification_list"),
            models.Index(fields=["recipient"], condition=Q(delivery="digest", digested_at__isnull=True),
                         name="notification_digest_waiting"),
        ]

    def __str__(self):
        return f"{self.recipient_id} · {self.event} · {self.dedupe_key}"


class Preference(models.Model):
    """A person's choice for one kind; without a row the default in DEFAULT_DELIVERY holds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user_id} · {self.kind} → {self.delivery}"
