"""The worker's side of the copy review: long vendor copy is read in paragraph chunks, with progress."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

from assetlens.cache import keep

from . import selectors, tone
from .models import Product

CHUNK_SIZE = 64_000


@shared_task(bind=True, acks_late=True, max_retries=2, soft_time_limit=240, time_limit=300)
def analyse_product_copy(self, product_id: int, district_id: int) -> dict:
    """Read one product's marketing copy and keep the reading under the copy's hash (plain JSON: findings,
    strengths, counts, tone index). Idempotent: the reading is a pure function of the copy and the rules."""
    try:
        copy = (
            Product.objects.filter(pk=product_id, district_id=district_id)
            .values_list("marketing_copy", flat=True).first()
        )
    except DatabaseError as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=2 ** self.request.retries) from exc
        return {"error": "The worker could not reach the database. Try again in a minute."}
    if copy is None:
        return {"error": "This product is no longer in your district."}

    def progress(done, total):
        self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    try:
        result = tone.analyse_in_chunks(copy, size=CHUNK_SIZE, progress=progress)
    except SoftTimeLimitExceeded:
        return {"error": "This copy took too long to read. Try again, or split it into shorter pieces."}
    keep(selectors.reading_key(copy), result)  # the page reads it from here, as it reads short copy's
    result["job"] = selectors.reading_job_id(product_id, district_id, copy)
    return result
