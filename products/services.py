"""Writes about products, and handing long copy to the worker."""

import logging
from typing import TYPE_CHECKING

from celery.result import AsyncResult
from django.utils.translation import gettext as _

from assetlens.cache import first_to_claim, peek, release_claim
from assetlens.celery import app as celery_app
from assetlens.models import District

from . import selectors
from .models import Product
from .tasks import analyse_product_copy

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


def _asked_key(task_id: str) -> str:
    return f"{task_id}:queued"


def _is_eager() -> bool:
    return bool(celery_app.conf.task_always_eager)


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
    task_id = selectors.reading_job_id(product.pk, product.district_id, text)
    if _is_eager():
        # No worker (development, tests): run the same task in-process.
        async_result = analyse_product_copy.apply((product.pk, product.district_id), task_id=task_id)
    else:
        async_result = AsyncResult(task_id, app=celery_app)
    state = async_result.state
    if state == "PENDING":
        # Asking twice is harmless (the same job id), so without the cache every page load may ask.
        if first_to_claim(_asked_key(task_id)):
            try:
                async_result = analyse_product_copy.apply_async((product.pk, product.district_id), task_id=task_id)
            except Exception:  # noqa: BLE001 - a broker outage must not break the page; reload to try again
                log.warning("Could not enqueue the copy reading of product %s", product.pk)
                release_claim(_asked_key(task_id))
                return {"state": "failed", "message": _(
                    "The worker could not be reached just now. Reload the page to try again.")}
            state = async_result.state
    if state == "SUCCESS":
        data = async_result.result or {}
        if data.get("error"):
            return {"state": "failed", "message": data["error"]}
        return _review(text, key, data, inline=False)
    if state == "FAILURE":
        return {"state": "failed",
                "message": _("Reading this copy stopped before it finished. Your copy is safe; try again.")}
    meta = async_result.info if state == "PROGRESS" and isinstance(async_result.info, dict) else {}
    done, total = int(meta.get("done", 0)), int(meta.get("total", 0))
    return {"state": "running", "done": done, "total": total, "percent": int(100 * done / total) if total else 0}


def retry_copy_reading(product: Product) -> None:
    """Forget a failed reading so the next view asks the worker again."""
    task_id = selectors.reading_job_id(product.pk, product.district_id, product.marketing_copy or "")
    AsyncResult(task_id, app=celery_app).forget()
    release_claim(_asked_key(task_id))

