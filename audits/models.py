from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveAuditManager(models.Manager):
    """Audits nobody has deleted: what every page, list and count sees. A deleted draft waits out its undo
    window (purge_after) only through `Audit.with_deleted`."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Audit(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Scoring")
        SCORED = "scored", _("Scored")
        SCORING_FAILED = "scoring_failed", _("Scoring paused")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="audits")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="audits")
    rubric_version = models.ForeignKey("rubrics.RubricVersion", on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Bumped on every save of answers, so a stale tab can be told its copy is out of date.
    revision = models.PositiveIntegerField(default=0)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # When the sweep last handed this audit to the queue again, and how many times it has (bounded by
    # audits.tasks.SWEEP_ATTEMPTS): an audit still waiting behind others is not handed over on every sweep.
    scoring_queued_at = models.DateTimeField(null=True, blank=True)
    scoring_attempts = models.PositiveSmallIntegerField(default=0)
    scored_at = models.DateTimeField(null=True, blank=True)
    # A re-audit starts from an earlier audit of the same product: its answers are offered, marked for review.
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A deleted draft is hidden at once and purged after purge_after (the undo window). A draft set aside by
    # the migration that merged duplicate drafts has no purge_after: its leftover answers are kept.
    deleted_at = models.DateTimeField(null=True, blank=True)
    purge_after = models.DateTimeField(null=True, blank=True)

    objects = LiveAuditManager()
    with_deleted = models.Manager()  # noqa: DJ012 - managers belong together, after the fields

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["district", "-updated_at"])]
        constraints = [
            # "Start audit" continues a person's draft instead of starting a second one.
            models.UniqueConstraint(fields=["product", "auditor"],
                                    condition=models.Q(status="draft", deleted_at__isnull=True),
                                    name="one_draft_per_person_product"),
        ]

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
    # Carried over from an earlier audit and not yet looked at again (cleared when its section is saved).
    needs_review = models.BooleanField(default=False)
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
