"""A product's pages on the vendor's site, read from their address, and the dated snapshots of what they said.

A snapshot is the unit of work: queued → running → fetched (or failed, with the reason). At most one snapshot
of a page is queued or running at a time (a partial unique constraint), so "check now", a retry and the
weekly re-check never fetch a page twice at once. A worker claims a snapshot with a conditional UPDATE and
writes its result only while its claim (the attempt number) still holds.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VendorPage(models.Model):
    class Kind(models.TextChoices):
        LANDING = "landing", _("Landing page")
        FAMILIES = "families", _("Page for families")
        APP_STORE = "app_store", _("App store listing")
        OTHER = "other", _("Other page")

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="vendor_pages")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="vendor_pages")
    kind = models.CharField(_("kind of page"), max_length=20, choices=Kind.choices, default=Kind.LANDING)
    url = models.URLField(_("page address"), max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # When a fetch was last asked for: the weekly re-check picks pages not asked about for a week.
    last_requested_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["product", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "url"], name="vendor_page_url_once_per_product")]

    def __str__(self):
        return f"{self.product_id}: {self.url}"


class Snapshot(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Reading the page")
        FETCHED = "fetched", _("Read")
        FAILED = "failed", _("Could not be read")

    PENDING = (Status.QUEUED, Status.RUNNING)

    district = models.ForeignKey("assetlens.District", on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey(VendorPage, on_delete=models.CASCADE, related_name="snapshots")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    # What the server answered (any of these may be empty on a failure).
    final_url = models.URLField(max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    # The main text of the page (trafilatura), its hash, and its hash with whitespace evened out: a change in
    # spacing alone is not a change of copy.
    text = models.TextField(blank=True)
    text_hash = models.CharField(max_length=64, blank=True)
    normalized_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The copy reader's findings on the text, kept with it so a later change can say what was added and removed.
    findings = models.JSONField(default=list, blank=True)
    strengths = models.JSONField(default=list, blank=True)
    failure_code = models.CharField(max_length=30, blank=True)
    failure_detail = models.CharField(max_length=300, blank=True)
    # Set on a fetched snapshot whose text differs (beyond whitespace) from the page's previous fetched one.
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["page"], condition=Q(status__in=["queued", "running"]),
                                    name="one_pending_snapshot_per_page"),
        ]
        indexes = [models.Index(fields=["district", "changed", "-fetched_at"], name="snapshot_changes")]

    def __str__(self):
        return f"{self.page_id} · {self.status} · {self.requested_at:%Y-%m-%d}"

    @property
    def is_pending(self):
        return self.status in self.PENDING
