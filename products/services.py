"""Writes about products, and handing long copy to the worker."""

import logging
from typing import IO, TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assetlens import leases
from assetlens.cache import peek
from assetlens.celery import app as celery_app
from assetlens.models import District

from . import importing, inventory, selectors, tone
from .models import CopyReading, InventoryImport, PastedCopy, PhraseSetAside, Product, ToolRequest, Validation
from .tasks import PASTES, READINGS, analyse_pasted_copy, analyse_product_copy, enqueue_paste, enqueue_reading

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Model

    from .forms import FamilySummaryForm, ProductForm, ToolRequestForm, ToolsPageForm, ValidationForm

log = logging.getLogger(__name__)


def create_product(form: "ProductForm", district: District, user: "User") -> Product:
    product = form.save(commit=False)
    product.district = district
    product.created_by = user
    product.save()
    return product


def update_product(form: "ProductForm") -> Product:
    return form.save()


def save_family_summary(form: "FamilySummaryForm") -> Product:
    return form.save()


def save_tools_page(form: "ToolsPageForm", district: District, user: "User") -> None:
    page = form.save(commit=False)
    page.district, page.updated_by = district, user
    page.save()


def add_validation(form: "ValidationForm", product: Product, user: "User") -> Validation:
    validation = form.save(commit=False)
    validation.product, validation.district_id, validation.added_by = product, product.district_id, user
    validation.save()
    return validation


def delete_validation(validation: Validation) -> None:
    validation.delete()


def request_tool(form: "ToolRequestForm", district: District, user: "User") -> ToolRequest:
    request = form.save(commit=False)
    request.district, request.requested_by = district, user
    request.save()
    return request


def accept_request(tool_request: ToolRequest, user: "User", auditor: "User", committee: "Model | None",
                   message: str) -> bool:
    """Put the requested tool on the product list (or link the product of that name the district has), name its
    auditor, and with a committee, have the committee ask the auditor for the audit. False if no longer open."""
    with transaction.atomic():
        claimed = ToolRequest.objects.filter(pk=tool_request.pk, status=ToolRequest.Status.OPEN).update(
            status=ToolRequest.Status.ACCEPTED, decided_at=timezone.now(), decided_by=user, auditor=auditor,
            message=message)
        if not claimed:
            return False
        product = Product.objects.filter(district_id=tool_request.district_id,
                                         name__iexact=tool_request.name).first()
        if product is None:
            product = Product.objects.create(
                district_id=tool_request.district_id, name=tool_request.name, website=tool_request.website,
                purpose=tool_request.why[:2000], created_by=user)
        ToolRequest.objects.filter(pk=tool_request.pk).update(product=product)
        if committee is not None:
            # The committee's own audit request (committees.AuditRequest), made through its relation.
            committee.audit_requests.get_or_create(  # type: ignore[attr-defined]
                product=product, member=auditor, defaults={"requested_by": user})
    return True


def close_request(tool_request: ToolRequest, user: "User", message: str) -> bool:
    return bool(ToolRequest.objects.filter(pk=tool_request.pk, status=ToolRequest.Status.OPEN).update(
        status=ToolRequest.Status.CLOSED, decided_at=timezone.now(), decided_by=user, message=message))


def archive_product(product: Product, user: "User") -> bool:
    """Take a product off every list (and the families' page); its audits, reports and decisions stay.
    False if it was archived already."""
    return bool(Product.objects.filter(pk=product.pk, archived_at__isnull=True).update(
        archived_at=timezone.now(), archived_by=user))


def restore_product(product: Product) -> bool:
    return bool(Product.objects.filter(pk=product.pk, archived_at__isnull=False).update(
        archived_at=None, archived_by=None))


# --- Importing an inventory -------------------------------------------------------------------------------


def preview_import(district: District, user: "User", upload: IO[bytes], file_name: str) -> InventoryImport:
    """Read the file and keep it with the plan of each row; nothing about products changes yet.
    Raises inventory.InventoryFileError when the file as a whole cannot be imported."""
    table = inventory.text_table(importing.read_table(upload, file_name))
    plan = inventory.plan_rows(table, selectors.existing_for_import(district))
    return InventoryImport.objects.create(
        district=district, uploaded_by=user, file_name=file_name[:255], table=table,
        rows=inventory.plan_as_data(plan), ignored_columns=plan.ignored_columns, counts=plan.counts())


def apply_import(imported: InventoryImport, user: "User") -> str:
    """Create and fill in every product of the preview, or none. Returns "imported"; "changed" when the district's
    products changed since the preview (the new preview is saved for the person to read); "errors" when rows
    have problems; "done" when this file was imported (or undone) already."""
    now = timezone.now()
    with transaction.atomic():
        locked = InventoryImport.objects.select_for_update().get(pk=imported.pk, district_id=imported.district_id)
        if locked.status != InventoryImport.Status.PREVIEW:
            return "done"
        plan = inventory.plan_rows(locked.table, selectors.existing_for_import(locked.district))
        rows = inventory.plan_as_data(plan)
        if [(r["action"], r["product_id"]) for r in rows] != [(r["action"], r["product_id"]) for r in locked.rows]:
            locked.rows, locked.counts = rows, plan.counts()
            locked.save(update_fields=["rows", "counts"])
            return "changed"
        if plan.errors:
            return "errors"
        new = [Product(district_id=locked.district_id, created_by=user, name=r.values["name"],
                       vendor=r.values["vendor"], website=r.values["website"], purpose=r.values["purpose"],
                       grade_bands=r.values["grade_bands"], archived_at=now if r.values["archived"] else None,
                       archived_by=user if r.values["archived"] else None)
               for r in plan.rows if r.action == "create"]
        fills = {r.product_id: r.fills for r in plan.rows if r.action == "match" and r.fills}
        try:
            with transaction.atomic():
                created = Product.objects.bulk_create(new, batch_size=500)
        except IntegrityError:
            # Someone added a product of the same name between the plan and this write.
            return "changed"
        matched = list(Product.objects.filter(district_id=locked.district_id, pk__in=list(fills)))
        for product in matched:
            for name, value in fills[product.pk].items():
                setattr(product, name, value)
        if matched:
            Product.objects.bulk_update(matched, ["vendor", "website", "purpose", "grade_bands"], batch_size=500)
        locked.status, locked.imported_at = InventoryImport.Status.IMPORTED, now
        locked.created_product_ids = [p.pk for p in created]
        locked.filled = {str(pk): values for pk, values in fills.items()}
        locked.save(update_fields=["status", "imported_at", "created_product_ids", "filled"])
    return "imported"


def undo_import(imported: InventoryImport) -> tuple[str, list[str]]:
    """Take the import back whole: delete the products it created and blank again the fields it filled (where
    nobody has changed them since). ("undone", []); ("in_use", names) when some created product has audits,
    requests, reports or decisions now (then nothing changes); ("not_imported", []) otherwise."""
    with transaction.atomic():
        locked = InventoryImport.objects.select_for_update().get(pk=imported.pk, district_id=imported.district_id)
        if locked.status != InventoryImport.Status.IMPORTED:
            return "not_imported", []
        created = Product.objects.filter(district_id=locked.district_id, pk__in=locked.created_product_ids)
        in_use = list(created.filter(Q(audits__isnull=False) | Q(decisions__isnull=False)
                                     | Q(audit_requests__isnull=False) | Q(comparison_reports__isnull=False))
                      .distinct().order_by("name").values_list("name", flat=True)[:20])
        if in_use:
            return "in_use", in_use
        created.delete()
        filled = {int(pk): values for pk, values in locked.filled.items()}
        restored = []
        for product in Product.objects.filter(district_id=locked.district_id, pk__in=list(filled)):
            for name, value in filled[product.pk].items():
                if getattr(product, name) == value:
                    setattr(product, name, [] if name == "grade_bands" else "")
            restored.append(product)
        if restored:
            Product.objects.bulk_update(restored, ["vendor", "website", "purpose", "grade_bands"], batch_size=500)
        locked.status, locked.undone_at = InventoryImport.Status.UNDONE, timezone.now()
        locked.save(update_fields=["status", "undone_at"])
    return "undone", []


def _review(text: str, key: str, reading: dict, inline: bool) -> dict:
    return {"state": "ready", "inline": inline, "text": text, "key": key, "reading": reading}


def _is_eager() -> bool:
    return bool(celery_app.conf.task_always_eager)


def _ask_for_reading(product: Product, key: str) -> CopyReading:
    """The reading of this exact copy, asked of the worker once (one row per product and copy hash)."""
    now = timezone.now()
    with transaction.atomic():
        reading, asked = CopyReading.objects.get_or_create(
            product=product, key=key, defaults={"district_id": product.district_id, "queued_at": now})
        if not asked and reading.status == CopyReading.Status.READY:
            # Read before, but the kept reading is gone (Redis emptied or restarted): read it again.
            asked = bool(CopyReading.objects.filter(pk=reading.pk, status=CopyReading.Status.READY).update(
                status=CopyReading.Status.QUEUED, queued_at=now, attempts=0, done=0, total=0))
            reading.status = CopyReading.Status.QUEUED if asked else reading.status
        if asked and not _is_eager():
            transaction.on_commit(lambda: enqueue_reading(reading.pk))
    if asked and _is_eager():
        # No worker (development, tests): read it here and now, with the same task.
        analyse_product_copy.apply((reading.pk,))
        reading.refresh_from_db()
    return reading


def copy_review(product: Product) -> dict:
    """The reading of a product's copy, or where the worker is with it; asks the worker once for long copy.

    Returns {"state": "empty"|"ready"|"running"|"failed", ...}. "ready" carries the text and its reading;
    "running" carries done/total; "failed" a message.
    """
    text = product.marketing_copy or ""
    if not text.strip():
        return {"state": "empty"}
    key = selectors.reading_key(text)
    if len(text) <= selectors.INLINE_LIMIT:
        return _review(text, key, selectors.read_copy(text, key), inline=True)
    kept = peek(key)
    if kept is not None:
        return _review(text, key, kept, inline=False)
    reading = _ask_for_reading(product, key)
    if reading.status == CopyReading.Status.READY:
        kept = peek(key)
        if kept is not None:
            return _review(text, key, kept, inline=False)
    if reading.status == CopyReading.Status.FAILED:
        return {"state": "failed", "message": reading.failure_message or _(
            "Reading this copy stopped before it finished. Your copy is safe; try again.")}
    done, total = reading.done, reading.total
    return {"state": "running", "done": done, "total": total, "percent": int(100 * done / total) if total else 0}


def retry_copy_reading(product: Product) -> None:
    """"Read the copy again" on a failed reading (or one waiting too long): back to the queue, attempts afresh."""
    key = selectors.reading_key(product.marketing_copy or "")
    reading = CopyReading.objects.filter(product=product, key=key).first()
    if reading is not None:
        leases.try_again(READINGS, reading.pk, enqueue_reading, done=0, total=0)


# --- Pasted copy, read off the request path, and phrases a leader sets aside ------------------------------


def paste_for_reading(district: District, user: "User", text: str) -> PastedCopy:
    """Keep long pasted copy for the worker and ask it once; the page returns at once and shows its progress."""
    with transaction.atomic():
        pasted = PastedCopy.objects.create(district=district, pasted_by=user, text=text,
                                           key=selectors.reading_key(text), queued_at=timezone.now())
        if not _is_eager():
            transaction.on_commit(lambda: enqueue_paste(pasted.pk))
    if _is_eager():
        analyse_pasted_copy.apply((pasted.pk,))
        pasted.refresh_from_db()
    return pasted


def pasted_review(pasted: PastedCopy) -> dict:
    """As copy_review, for pasted copy: "ready" with its reading, "running" with progress, or "failed"."""
    if pasted.status == PastedCopy.Status.READY:
        kept = peek(pasted.key)
        if kept is not None:
            return _review(pasted.text, pasted.key, kept, inline=False)
        # The kept reading is gone (Redis emptied): read it again.
        if PastedCopy.objects.filter(pk=pasted.pk, status=PastedCopy.Status.READY).update(
                status=PastedCopy.Status.QUEUED, queued_at=timezone.now(), attempts=0, done=0, total=0):
            if _is_eager():
                analyse_pasted_copy.apply((pasted.pk,))
                pasted.refresh_from_db()
                return pasted_review(pasted)
            transaction.on_commit(lambda: enqueue_paste(pasted.pk))
        return {"state": "running", "done": 0, "total": 0, "percent": 0}
    if pasted.status == PastedCopy.Status.FAILED:
        return {"state": "failed", "message": pasted.failure_message or _(
            "Reading this copy stopped before it finished. Paste it again to try again.")}
    done, total = pasted.done, pasted.total
    return {"state": "running", "done": done, "total": total, "percent": int(100 * done / total) if total else 0}


def retry_paste(pasted: PastedCopy) -> None:
    leases.try_again(PASTES, pasted.pk, enqueue_paste, done=0, total=0)


def set_aside_phrase(product: Product, user: "User", key: str, reason: str) -> PhraseSetAside | None:
    """A leader's word that a phrase is not deficit framing here. None when the key names no deficit category
    (a strength is never set aside) or the reason is empty. Saying it again updates the reason."""
    # NUL never reaches PostgreSQL text; spacing is normalised so a reason reads as one line.
    category, _sep, phrase = (key or "").replace("\x00", "").partition(":")
    reason = " ".join((reason or "").replace("\x00", "").split())[:300]
    if category not in tone.DEFICIT_CATEGORIES or not phrase.strip() or not reason:
        return None
    set_aside, _created = PhraseSetAside.objects.update_or_create(
        product=product, key=f"{category}:{' '.join(phrase.lower().split())}"[:400],
        defaults={"district_id": product.district_id, "reason": reason, "set_aside_by": user})
    return set_aside


def count_phrase_again(product: Product, pk: int) -> bool:
    """Undo a set-aside: the phrase counts in the reading again."""
    deleted, _rows = PhraseSetAside.objects.filter(product=product, pk=pk).delete()
    return bool(deleted)
