"""Committees: members of a district who compare audits side by side, talk them over and decide."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Committee(models.Model):
    """Members of one district who compare products together, e.g. for a K-5 reading supplement."""

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="committees")
    name = models.CharField(_("committee name"), max_length=200)
    purpose = models.TextField(_("purpose"), max_length=2000, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="CommitteeMember", related_name="committees")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="committee_name_unique_in_district")]

    def __str__(self):
        return self.name


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["committee", "user__username"]
        constraints = [models.UniqueConstraint(fields=["committee", "user"], name="one_membership_per_committee")]

    def __str__(self):
        return f"{self.user} · {self.committee}"


class AuditRequest(models.Model):
    """The committee asks one member to audit one product; the member's own audit answers it."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="audit_requests")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="audit_requests")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Reminders go out two days before and once it is overdue (notifications.tasks.send_due_reminders).
    due_date = models.DateField(_("due date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product__name", "member__username"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "product", "member"], name="one_request_per_member_product"),
        ]

    def __str__(self):
        return f"{self.committee}: {self.member} → {self.product}"


class ComparisonReport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Paused")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="comparison_reports")
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="reports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    products = models.ManyToManyField("products.Product", related_name="comparison_reports")
    audits = models.ManyToManyField("audits.Audit", related_name="comparison_reports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    # What the report's first page shows (reports.split_result); `details` holds what grows with the number of
    # audits (each audit's scores, every answer and its evidence), read only by a product's page and the exports.
    result = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The language the report was asked for in, for the PDF the worker prepares as soon as it is ready.
    language = models.CharField(max_length=8, blank=True)
    # Moves on with every agreed level and decision, so a kept PDF is never older than what it shows.
    revision = models.PositiveIntegerField(default=0)
    failure_message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was last handed to the queue (asked for, or tried again), to tell a lost message from a busy worker.
    queued_at = models.DateTimeField(null=True, blank=True)
    # When the worker claimed it: its later writes are conditioned on this stamp (assetlens/leases.py).
    started_at = models.DateTimeField(null=True, blank=True)
    # While running: the worker renews this with each progress update; past it, the report is taken over.
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.committee} · {_('comparison')} {self.pk}"

    @property
    def build_stamp(self) -> str:
        """Names this build of a ready report in cache keys and kept files: a rebuilt report never reuses them."""
        return f"{self.pk}:{self.finished_at.timestamp():.6f}"

    @property
    def is_done(self):
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def waiting_too_long(self):
        """Queued for longer than a worker should take to pick it up: offer to enqueue it again."""
        waited = (timezone.now() - (self.queued_at or self.created_at)).total_seconds()
        return self.status == self.Status.QUEUED and waited > settings.ASSETLENS_QUEUE_PATIENCE_SECONDS


class ReportComment(models.Model):
    report = models.ForeignKey(ComparisonReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.author} on {self.report_id}: {self.body[:40]}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        ADOPT = "adopt", _("Adopt")
        PILOT = "pilot", _("Pilot")
        DECLINE = "decline", _("Decline")
        NEED_MORE_INFORMATION = "need_more_information", _("Need more information")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="decisions")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="decisions")
    report = models.ForeignKey(ComparisonReport, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="decisions")
    outcome = models.CharField(_("decision"), max_length=32, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"), max_length=5000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField(_("date decided"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-created_at", "-id"]

    def __str__(self):
        return f"{self.committee}: {self.product} → {self.get_outcome_display()}"


class ConsensusLevel(models.Model):
    """The level a committee agrees on for one criterion of one product; the auditors' ratings stay as they are."""

    report = models.ForeignKey(ComparisonReport, on_delete=models.CASCADE, related_name="consensus_levels")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="+")
    criterion_key = models.SlugField(max_length=80)
    level = models.PositiveSmallIntegerField(_("agreed level"))
    reason = models.TextField(_("reason"), max_length=5000)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["report", "product", "criterion_key"]
        constraints = [
            models.UniqueConstraint(fields=["report", "product", "criterion_key"], name="one_consensus_per_criterion"),
        ]

    def __str__(self):
        return f"{self.report_id} · {self.product_id} · {self.criterion_key} = {self.level}"


class ReportFile(models.Model):
    """A comparison report's PDF, built by the worker and kept, for one language, blind set and report revision."""

    report = models.ForeignKey(ComparisonReport, on_delete=models.CASCADE, related_name="files")
    key = models.CharField(max_length=200)
    file = models.FileField(upload_to="reports/%Y/%m/")
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="one_file_per_report_key")]

    def __str__(self):
        return f"{self.report_id} · {self.key}"


def hash_share_token(token: str) -> str:
    """What is kept of a share link's secret, and how the link is looked up (as people's invitations do)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ReportShare(models.Model):
    """A read-only link to one report for the school board: no sign-in, until it expires or is revoked.

    It shows what a committee member who is blind to nothing sees, without the discussion. Only a hash of the
    link's secret is kept, so a copy of the database cannot be used to open reports.
    """

    report = models.ForeignKey(ComparisonReport, on_delete=models.CASCADE, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("who it is for"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.report_id} · {self.label or self.pk}"

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
