from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GRADE_BANDS = [
    ("prek", _("Pre-K")),
    ("k2", _("K–2")),
    ("3-5", _("3–5")),
    ("6-8", _("6–8")),
    ("9-12", _("9–12")),
    ("adult", _("Adult and family learning")),
]


class Product(models.Model):
    """A vendor's edtech product as one district sees it, with the vendor's own marketing copy."""

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("product name"), max_length=200)
    vendor = models.CharField(_("vendor"), max_length=200, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    purpose = models.TextField(_("what it is for"), max_length=2000, blank=True)
    grade_bands = models.JSONField(_("grade bands"), default=list, blank=True)
    marketing_copy = models.TextField(_("vendor's marketing copy"), max_length=200_000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="product_name_unique_in_district")]

    def __str__(self):
        return self.name

    def grade_band_labels(self):
        labels = dict(GRADE_BANDS)
        return [labels.get(b, b) for b in self.grade_bands]


class Audit(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Scoring")
        SCORED = "scored", _("Scored")
        SCORING_FAILED = "scoring_failed", _("Scoring paused")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="audits")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="audits")
    rubric_version = models.ForeignKey("rubrics.RubricVersion", on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Bumped on every save of answers, so a stale tab can be told its copy is out of date.
    revision = models.PositiveIntegerField(default=0)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["district", "-updated_at"])]

    def __str__(self):
        return f"{self.product} · {self.auditor} · {self.get_status_display()}"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT


class Answer(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("rubrics.Question", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    # The evidence behind the answer: the leader's notes, a link, and words quoted from the product.
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    evidence_url = models.URLField(_("link to evidence"), max_length=500, blank=True)
    evidence_quote = models.TextField(_("quote from the product"), max_length=5000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["audit", "question__criterion__order", "question__order"]
        constraints = [models.UniqueConstraint(fields=["audit", "question"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.audit_id}:{self.question_id}={self.level}"

    @property
    def is_answered(self):
        return self.not_applicable or self.level is not None

    @property
    def has_evidence(self):
        return bool(self.notes or self.evidence_url or self.evidence_quote)


class Score(models.Model):
    """The worker's result for an audit: one row, rewritten in place if scoring ever runs again."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="score")
    overall = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    details = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.audit_id}: {self.overall}"


# --- Committees: members compare audits, talk them over and decide ---------------------------------


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
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="audit_requests")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product__name", "member__username"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "product", "member"], name="one_request_per_member_product"),
        ]

    def __str__(self):
        return f"{self.committee}: {self.member} → {self.product}"


class ComparisonReport(models.Model):
    QUEUE_PATIENCE_SECONDS = 120

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Paused")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="comparison_reports")
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="reports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    products = models.ManyToManyField(Product, related_name="comparison_reports")
    audits = models.ManyToManyField(Audit, related_name="comparison_reports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)
    failure_message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was last handed to the queue (asked for, or tried again), to tell a lost message from a busy worker.
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.committee} · {_('comparison')} {self.pk}"

    @property
    def is_done(self):
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def waiting_too_long(self):
        """Queued for longer than a worker should take to pick it up: offer to enqueue it again."""
        from django.utils import timezone

        waited = (timezone.now() - (self.queued_at or self.created_at)).total_seconds()
        return self.status == self.Status.QUEUED and waited > self.QUEUE_PATIENCE_SECONDS


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
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="decisions")
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
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
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
