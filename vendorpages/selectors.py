"""Reads about vendor pages: a product's pages with their latest reads, a change and its diff, the changes a
leader should know about, and the audit a re-audit starts from. Each is a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.db import connection

from assetlens.dates import aware
from assetlens.models import District
from assetlens.plain import Parts, read_rows
from audits.models import Audit
from products.models import Product

from . import reasons, textdiff
from .models import Snapshot, VendorPage

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LISTED_FIELDS = ("id", "page_id", "status", "attempts", "requested_at", "fetched_at", "http_status", "size",
                 "content_type", "failure_code", "failure_detail", "changed", "previous_id")
_PAGE_PARTS: Parts = ((VendorPage, tuple(f.attname for f in VendorPage._meta.concrete_fields)),)
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
    # One plain statement: a product's page asks it on every view, most often to find no pages at all, and the
    # ORM took six times the CPU to build it.
    table = VendorPage._meta.db_table
    pages = [cast(VendorPage, page) for (page,) in read_rows(
        _PAGE_PARTS, "", f"{table}.product_id = %s AND {table}.district_id = %s", [product.pk, product.district_id],
        order=f"{table}.id")]
    rows = {p.pk: PageRow(p, None, None, None) for p in pages}
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


@dataclass(frozen=True)
class VendorChange:
    """A change the dashboard names: the snapshot that noticed it, its page and product, and when it was read."""

    pk: int
    page_id: int
    product_id: int
    product_name: str
    fetched_at: datetime


def changes_for_auditor(district: District, user: "User", limit: int = DASHBOARD_LIMIT) -> list[VendorChange]:
    """Vendor copy that changed after the leader's last audit of the product (one query): the dashboard's
    notice, newest first, one a product. Starting a re-audit (a newer audit) clears it.

    One plain statement: the dashboard asks it on every view, and composed through the ORM (an EXISTS and a
    correlated subquery) it cost ten times the CPU of running it."""
    own = (f"FROM {Audit._meta.db_table} a WHERE a.product_id = pg.product_id AND a.auditor_id = %s "
           "AND a.district_id = %s AND a.deleted_at IS NULL")
    sql = (f"SELECT s.id, s.page_id, pg.product_id, p.name, s.fetched_at "
           f"FROM {Snapshot._meta.db_table} s JOIN {VendorPage._meta.db_table} pg ON pg.id = s.page_id "
           f"JOIN {Product._meta.db_table} p ON p.id = pg.product_id "
           f"WHERE s.district_id = %s AND s.changed = %s AND s.status = %s "
           f"AND EXISTS (SELECT 1 {own} AND a.status IN (%s, %s, %s)) "
           f"AND s.fetched_at > (SELECT MAX(a.created_at) {own}) "
           f"ORDER BY s.fetched_at DESC, s.id DESC LIMIT %s")
    params: list[int | str | bool] = [district.pk, True, Snapshot.Status.FETCHED.value, user.pk, district.pk,
                                      *[str(s) for s in AUDITED], user.pk, district.pk, limit * 4]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    shown: dict[int, VendorChange] = {}  # by product: its newest change only
    for pk, page_id, product_id, name, fetched_at in rows:
        if product_id not in shown:
            shown[product_id] = VendorChange(pk, page_id, product_id, name, aware(fetched_at))
    return list(shown.values())[:limit]
