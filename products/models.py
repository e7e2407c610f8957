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
