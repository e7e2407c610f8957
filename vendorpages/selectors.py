"""Reads about vendor pages: a product's pages with their latest reads, a change and its diff, the changes a
leader should know about, and the audit a re-audit starts from. Each is a fixed number of queries."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, Subquery

from assetlens.models import District
from audits.models import Audit
from products.models import Product

from . import reasons, textdiff
from .models import Snapshot, VendorPage

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LISTED_FIELDS = ("id", "page_id", "status", "attempts", "requested_at", "fetched_at", "http_status", "size",
                 "content_type", "failure_code", "failure_detail", "changed", "previous_id")
AUDITED = (Audit.Status.SUBMITTED, Audit.Status.SCORED, Audit.Status.SCORING_FAILED)
DASHBOARD_LIMIT = 5


@dataclass
class PageRow:
    page: VendorPage
    latest: Snapshot | None  # the newest snapshot, whatever its status
    last_read: Snapshot | None  # the newest fetched one
    last_change: Snapshot | None  # the newest fetched one that changed the copy

    @property
    def pending(self) -> bool:
        return self.latest is not None and self.latest.is_pending

    @property
    def failed(self) -> bool:
        return self.latest is not None and self.latest.status == Snapshot.Status.FAILED

    @property
    def failure(self) -> str:
        return reasons.explain(self.latest.failure_code, self.latest.failure_detail) if self.failed and self.latest \
            else ""

    @property
    def failure_short(self) -> str:
        return reasons.short(self.latest.failure_code) if self.failed and self.latest else ""


def page_rows(product: Product) -> list[PageRow]:
    """The product's pages, each with its newest snapshot, newest read and newest change (two queries)."""
    pages = list(VendorPage.objects.filter(product=product, district_id=product.district_id).order_by("id"))
    rows = {p.id: PageRow(p, None, None, None) for p in pages}
    if not rows:
        return []
    snapshots = (Snapshot.objects.filter(page_id__in=rows, district_id=product.district_id)
                 .only(*LISTED_FIELDS).order_by("-id"))
    for snapshot in snapshots:
        row = rows[snapshot.page_id]
        row.latest = row.latest or snapshot
        if snapshot.status == Snapshot.Status.FETCHED:
            row.last_read = row.last_read or snapshot
            if snapshot.changed:
                row.last_change = row.last_change or snapshot
    return list(rows.values())


def last_own_audit(product: Product, user: "User") -> Audit | None:
    """The leader's newest submitted audit of the product: what a re-audit starts from."""
    return (Audit.objects.filter(product=product, district_id=product.district_id, auditor=user, status__in=AUDITED)
            .order_by("-submitted_at", "-id").first())


def product_section(product: Product, user: "User") -> dict[str, Any]:
    rows = page_rows(product)
    changes = [r.last_change for r in rows if r.last_change is not None]
    newest_change = max(changes, key=lambda s: (s.fetched_at, s.id)) if changes else None
    return {"rows": rows, "newest_change": newest_change, "any_pending": any(r.pending for r in rows),
            "reaudit_from": last_own_audit(product, user) if newest_change else None}


def page_of(product: Product, page_pk: int) -> VendorPage | None:
    return VendorPage.objects.filter(pk=page_pk, product=product, district_id=product.district_id).first()


def snapshots_of(page: VendorPage, limit: int = 20) -> list[Snapshot]:
    return list(Snapshot.objects.filter(page=page, district_id=page.district_id).only(*LISTED_FIELDS)
                .order_by("-id")[:limit])


def last_read(page: VendorPage) -> Snapshot | None:
    return (Snapshot.objects.filter(page=page, district_id=page.district_id, status=Snapshot.Status.FETCHED)
            .order_by("-fetched_at", "-id").first())


def change_of(page: VendorPage, snapshot_pk: int) -> dict[str, Any] | None:
    """A change: the snapshot that noticed it, the one before, the paragraphs removed and added, and the copy
    reader's findings added and removed. None when that snapshot is not a change of this page."""
    snapshot = (Snapshot.objects.filter(pk=snapshot_pk, page=page, district_id=page.district_id,
                                        status=Snapshot.Status.FETCHED, changed=True)
                .select_related("previous").first())
    if snapshot is None or snapshot.previous is None:
        return None
    before = snapshot.previous
    added, removed = textdiff.findings_change(before.findings, snapshot.findings)
    strengths_added, strengths_removed = textdiff.findings_change(before.strengths, snapshot.strengths)
    return {"snapshot": snapshot, "before": before, "blocks": textdiff.diff_blocks(before.text, snapshot.text),
            "findings_added": added, "findings_removed": removed,
            "strengths_added": strengths_added, "strengths_removed": strengths_removed}


def changes_for_auditor(district: District, user: "User", limit: int = DASHBOARD_LIMIT) -> list[Snapshot]:
    """Vendor copy that changed after the leader's last audit of the product (one query): the dashboard's
    notice. Starting a re-audit (a newer audit) clears it."""
    own = Audit.objects.filter(product_id=OuterRef("page__product_id"), auditor=user)
    newest_own = own.order_by("-created_at").values("created_at")[:1]
    changes = (Snapshot.objects.filter(district=district, changed=True, status=Snapshot.Status.FETCHED)
               .filter(Exists(own.filter(status__in=AUDITED)))
               .annotate(own_audit_at=Subquery(newest_own)).filter(fetched_at__gt=F("own_audit_at"))
               .select_related("page__product").only("id", "fetched_at", "page_id", "page__product_id",
                                                     "page__product__name", "page__url", "page__kind")
               .order_by("-fetched_at", "-id"))
    seen: set[int] = set()
    shown: list[Snapshot] = []
    for snapshot in changes[: limit * 4]:
        product_id = snapshot.page.product_id
        if product_id in seen:
            continue
        seen.add(product_id)
        shown.append(snapshot)
        if len(shown) == limit:
            break
    return shown
