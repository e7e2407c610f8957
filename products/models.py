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
    # Archived products leave every list and the families' page; their audits, reports and decisions stay.
    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # What families read on the district's public tools page: written by the committee or a leader, in
    # asset-based words. Nothing else of the product's review (scores, comments) is ever shown there.
    show_to_families = models.BooleanField(_("show on the families' page"), default=False)
    family_summary = models.TextField(_("summary for families (English)"), max_length=1000, blank=True)
    family_summary_es = models.TextField(_("summary for families (Spanish)"), max_length=1000, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="product_name_unique_in_district")]

    def __str__(self):
        return self.name

    @property
    def is_archived(self):
        return self.archived_at is not None

    def grade_band_labels(self):
        labels = dict(GRADE_BANDS)
        return [labels.get(b, b) for b in self.grade_bands]


class CopyReading(models.Model):
    """The worker reading one exact text of a product's long copy for tone (products.tasks). The reading itself is
    kept in the cache under `key` (copy hash and rules version); this row says where the work is, so that the
    sweep can hand over readings whose message was lost and take over readings whose worker died."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Reading")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Paused")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="copy_readings")
    key = models.CharField(max_length=120)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    failure_message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    # The claim's stamp and lease (assetlens/leases.py).
    started_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "key"], name="one_reading_per_copy")]

    def __str__(self):
        return f"{self.product} · {self.get_status_display()}"
class PhraseSetAside(models.Model):
    """A leader's word that one phrase of a product's copy, in one category, is not deficit framing here: its
    findings fold away on the copy review (still shown to the committee, with the reason) and leave the advisory
    signal. Kept by phrase, not by position, so it still holds when the copy is edited around it."""

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="phrases_set_aside")
    key = models.CharField(max_length=400)  # products.review.phrase_key: "category:phrase"
    reason = models.CharField(max_length=300)
    set_aside_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "key"], name="one_set_aside_per_phrase")]

    def __str__(self):
        return f"{self.product} · {self.key}"


class PastedCopy(models.Model):
    """Long copy pasted on the "read copy for tone" page, kept only while the worker reads it and the person who
    pasted it looks at the reading (the sweep deletes it after a day). Leased work, like CopyReading."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Reading")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Paused")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="+")
    pasted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    key = models.CharField(max_length=120)  # the reading's key (products.selectors.reading_key)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    failure_message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.pasted_by} · {self.get_status_display()}"


class InventoryImport(models.Model):
    """One uploaded inventory file: its cells, the preview of what each row does, and what the import changed
    (kept so it can be undone from its own page)."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for you to import")
        IMPORTED = "imported", _("Imported")
        UNDONE = "undone", _("Undone")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="inventory_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    table = models.JSONField(default=list)  # the file's cells as text, header first
    rows = models.JSONField(default=list)  # the preview: one plan per row (products.inventory.RowPlan as data)
    ignored_columns = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    created_product_ids = models.JSONField(default=list)
    filled = models.JSONField(default=dict)  # product id → the blank fields this import filled, and their values
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} · {self.get_status_display()}"


class ToolsPage(models.Model):
    """A district's public page of approved tools (/d/<slug>/tools/): off until a district admin publishes it."""

    district = models.OneToOneField("assetlens.District", on_delete=models.CASCADE, related_name="tools_page")
    published = models.BooleanField(_("publish the families' page"), default=False)
    introduction = models.TextField(_("introduction (English)"), max_length=2000, blank=True)
    introduction_es = models.TextField(_("introduction (Spanish)"), max_length=2000, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.district} · {'published' if self.published else 'not published'}"


class Validation(models.Model):
    """A third-party certification or agreement a product already has, so leaders reuse others' work. One with an
    expiry within RE_REVIEW_DAYS lists the product for re-review."""

    class Kind(models.TextChoices):
        DIGITAL_PROMISE = "digital_promise", _("Digital Promise product certification")
        TRUSTED_APPS = "trusted_apps", _("1EdTech TrustEd Apps")
        COMMON_SENSE = "common_sense", _("Common Sense privacy rating")
        ISTE_SEAL = "iste_seal", _("ISTE Seal")
        PRIVACY_AGREEMENT = "privacy_agreement", _("Signed data privacy agreement")
        OTHER = "other", _("Other certification or agreement")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="validations")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    detail = models.CharField(_("name or rating"), max_length=200, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    issued_on = models.DateField(_("date"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-issued_on", "-id"]
        indexes = [models.Index(fields=["district", "expires_on"])]

    def __str__(self):
        return f"{self.product} · {self.get_kind_display()}"


class ToolRequest(models.Model):
    """Someone in the district asks for a tool; a leader accepts it into the product list (with an auditor, and
    optionally a committee) or closes it with a message the requester reads."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a leader")
        ACCEPTED = "accepted", _("Accepted: being reviewed")
        CLOSED = "closed", _("Closed")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="tool_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tool_requests")
    name = models.CharField(_("tool name"), max_length=200)
    website = models.URLField(_("website"), max_length=500, blank=True)
    why = models.TextField(_("why it would help"), max_length=3000)
    students = models.TextField(_("which students"), max_length=1000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    message = models.TextField(_("message to the requester"), max_length=3000, blank=True)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} · {self.get_status_display()}"
