"""Writes about products, and handing long copy to the worker."""

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assetlens import leases
from assetlens.cache import peek
from assetlens.celery import app as celery_app
from assetlens.models import District

from . import selectors
from .models import CopyReading, Product
from .tasks import READINGS, analyse_product_copy, enqueue_reading

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .forms import ProductForm

log = logging.getLogger(__name__)


def create_product(form: "ProductForm", district: District, user: "User") -> Product:
    product = form.save(commit=False)
    product.district = district
    product.created_by = user
    product.save()
    return product


def update_product(form: "ProductForm") -> Product:
    return form.save()


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
