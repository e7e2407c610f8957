"""Committees: members of a district who compare audits side by side, talk them over and decide."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Committee(models.Model):
    """Members of one district who compare products together, e.g. for a K-5 reading supplement."""

    # How a proposed decision is carried (committees/voting.py says exactly what each rule means).
    class Quorum(models.TextChoices):
        HALF = "half", _("More than half of the members vote")
        TWO_THIRDS = "two_thirds", _("At least two thirds of the members vote")
        ALL = "all", _("Every member votes")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("More members agree than disagree")
        TWO_THIRDS = "two_thirds", _("At least two thirds of those voting agree")
        UNANIMOUS = "unanimous", _("Nobody disagrees")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="committees")
    name = models.CharField(_("committee name"), max_length=200)
    purpose = models.TextField(_("purpose"), max_length=2000, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="CommitteeMember", related_name="committees")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The chair records the committee's meetings; without one, the district admin does.
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("chair"))
    quorum = models.CharField(_("quorum"), max_length=16, choices=Quorum.choices, default=Quorum.HALF)
    majority = models.CharField(_("majority"), max_length=16, choices=Majority.choices, default=Majority.SIMPLE)

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
    """A decision a member proposes for the committee; the members' votes and the committee's rules carry it."""

    class Outcome(models.TextChoices):
        ADOPT = "adopt", _("Adopt")
        PILOT = "pilot", _("Pilot with conditions")
        DECLINE = "decline", _("Decline")
        NEED_MORE_INFORMATION = "need_more_information", _("Need more information")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, open for votes")
        CARRIED = "carried", _("Carried")
        NOT_CARRIED = "not_carried", _("Not carried")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="decisions")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="decisions")
    report = models.ForeignKey(ComparisonReport, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="decisions")
    outcome = models.CharField(_("decision"), max_length=32, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"), max_length=5000)
    conditions = models.TextField(_("conditions"), max_length=5000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED,
                              db_index=True)
    # Why it was last revised or withdrawn (each change's reason is also kept in its history).
    status_reason = models.TextField(_("reason for the change"), max_length=2000, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The day it was carried (or, for decisions recorded before proposals and votes, the day recorded).
    decided_on = models.DateField(_("date decided"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.committee}: {self.product} → {self.get_outcome_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PROPOSED


class Vote(models.Model):
    """One member's vote on a proposed decision; they may change it while the proposal is open."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        ABSTAIN = "abstain", _("Abstain")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(_("your vote"), max_length=16, choices=Choice.choices)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["decision", "member__username"]
        constraints = [models.UniqueConstraint(fields=["decision", "member"], name="one_vote_per_member")]

    def __str__(self):
        return f"{self.member} · {self.decision_id}: {self.choice}"


class Meeting(models.Model):
    """What a committee meeting settled, recorded by its chair: when, who came, the minutes."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("meeting date"))
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("attendees"))
    minutes = models.TextField(_("minutes"), max_length=10000)
    decisions = models.ManyToManyField(Decision, blank=True, related_name="meetings",
                                       verbose_name=_("decisions discussed"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.committee} · {self.held_on}"


class CalibrationRound(models.Model):
    """A norming round: every member rates the same product, and the committee reads where they differ before
    the real audits begin."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="calibration_rounds")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["committee", "product"], name="one_round_per_product")]

    def __str__(self):
        return f"{self.committee} · {self.product}"


class ConsensusLevel(models.Model):
    """The level a committee agrees on for one criterion of one product; the auditors' ratings stay as they are."""

    report = models.ForeignKey(ComparisonReport, on_delete=models.CASCADE, related_name="consensus_levels")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="+")
    criterion_key = models.SlugField(max_length=80)
    level = models.PositiveSmallIntegerField(_("agreed level"))
    reason = models.TextField(_("reason"), max_length=5000)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

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
