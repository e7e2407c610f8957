"""The worker's side of the copy review: long vendor copy is read in paragraph chunks, with progress.

A reading is leased work (assetlens/leases.py) recorded in a CopyReading row: claimed once, its lease renewed with
each chunk, taken over when its worker dies, handed over again by the sweep when its message was lost. The reading
itself is kept in the cache under the copy's hash, where the page finds it.
"""

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from assetlens import leases
from assetlens.cache import keep

from . import selectors, tone
from .models import CopyReading, PastedCopy, Product

log = logging.getLogger(__name__)

CHUNK_SIZE = 64_000
# Database trouble: tried again after 5 s, then 30 s.
RETRY_BACKOFF = (5, 30)
READINGS = leases.Kind(CopyReading, queued=CopyReading.Status.QUEUED, running=CopyReading.Status.RUNNING,
                       failed=CopyReading.Status.FAILED)
PASTES = leases.Kind(PastedCopy, queued=PastedCopy.Status.QUEUED, running=PastedCopy.Status.RUNNING,
                     failed=PastedCopy.Status.FAILED)
PASTE_DAYS = 1  # how long pasted copy (and so its reading's page) is kept


def enqueue_reading(reading_id: int) -> None:
    try:
        analyse_product_copy.delay(reading_id)
    except Exception:  # noqa: BLE001 - an unreachable broker must not break the page; the sweep hands it over
        log.warning("Could not enqueue copy reading %s; it waits as queued and the sweep hands it over.", reading_id)


def read(held: leases.Claim) -> str:
    """Read the copy this claim is for and keep the reading under the copy's hash."""
    reading = CopyReading.objects.get(pk=held.pk)
    copy = (Product.objects.filter(pk=reading.product_id, district_id=reading.district_id)
            .values_list("marketing_copy", flat=True).first())
    if copy is None:
        leases.fail(READINGS, held.pk, _("This product is no longer in your district."))
        return "failed"
    if selectors.reading_key(copy) != reading.key:
        # The copy was edited since: the page asks for a reading of the new text; this one is no longer wanted.
        leases.fail(READINGS, held.pk, _("The copy changed while it was being read. Reload the page."))
        return "failed"

    def progress(done, total):
        leases.renew(READINGS, held, done=done, total=total)

    result = tone.analyse_in_chunks(copy, size=CHUNK_SIZE, progress=progress)
    keep(reading.key, result)  # the page reads it from here, as it reads short copy's
    if not leases.finish(READINGS, held, CopyReading.Status.READY):
        raise leases.LeaseLost(f"CopyReading {held.pk}")
    return "read"


@shared_task(bind=True, acks_late=True, max_retries=len(RETRY_BACKOFF), soft_time_limit=240, time_limit=300)
def analyse_product_copy(self, reading_id: int) -> str:
    """Idempotent: the reading is a pure function of the copy and the rules, kept under their hash."""
    held = None
    try:
        held = leases.claim(READINGS, reading_id, done=0, total=0, failure_message="")
        return "skipped" if held is None else read(held)
    except leases.LeaseLost:
        return "superseded"
    except SoftTimeLimitExceeded:
        leases.fail(READINGS, reading_id, _("This copy took too long to read. Try again, or split it into shorter "
                                            "pieces."))
        return "failed"
    except DatabaseError as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            if held is not None:
                try:
                    leases.release(READINGS, held)
                except DatabaseError:  # the lease runs out and the sweep takes it over
                    pass
            raise self.retry(exc=exc, countdown=RETRY_BACKOFF[self.request.retries]) from exc
        try:
            leases.fail(READINGS, reading_id, _("The worker could not reach the database. Try again in a minute."))
        except DatabaseError:
            log.warning("Could not mark copy reading %s failed; the sweep will.", reading_id)
        return "failed"


def enqueue_paste(pasted_id: int) -> None:
    try:
        analyse_pasted_copy.delay(pasted_id)
    except Exception:  # noqa: BLE001 - as enqueue_reading: the sweep hands it over
        log.warning("Could not enqueue pasted copy %s; it waits as queued and the sweep hands it over.", pasted_id)


def read_paste(held: leases.Claim) -> str:
    """Read pasted copy and keep the reading under its key; the paste's page finds it there."""
    pasted = PastedCopy.objects.only("text", "key").get(pk=held.pk)

    def progress(done, total):
        leases.renew(PASTES, held, done=done, total=total)

    keep(pasted.key, tone.analyse_in_chunks(pasted.text, size=CHUNK_SIZE, progress=progress))
    if not leases.finish(PASTES, held, PastedCopy.Status.READY):
        raise leases.LeaseLost(f"PastedCopy {held.pk}")
    return "read"


@shared_task(bind=True, acks_late=True, max_retries=len(RETRY_BACKOFF), soft_time_limit=240, time_limit=300)
def analyse_pasted_copy(self, pasted_id: int) -> str:
    """Idempotent, like analyse_product_copy. Nobody's rights change on pasted copy (only its author reads its
    page, checked there); a paste deleted meanwhile is simply skipped."""
    try:
        held = leases.claim(PASTES, pasted_id, done=0, total=0, failure_message="")
        return "skipped" if held is None else read_paste(held)
    except (leases.LeaseLost, PastedCopy.DoesNotExist):
        return "superseded"
    except SoftTimeLimitExceeded:
        leases.fail(PASTES, pasted_id, _("This copy took too long to read. Try again, or split it into shorter "
                                         "pieces."))
        return "failed"
    except DatabaseError as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=RETRY_BACKOFF[self.request.retries]) from exc
        return "failed"


@shared_task(acks_late=True, max_retries=0, soft_time_limit=50, time_limit=60)
def sweep_readings() -> dict:
    """Beat's sweep: readings queued too long or running past their lease go back to the queue; after three
    claims they are failed with the reason, and the page offers "Try again"."""
    swept = leases.sweep(READINGS, enqueue_reading, _(
        "Reading this copy was started %(n)s times and never finished. Your copy is safe; try again.")
        % {"n": READINGS.max_attempts}, done=0, total=0)
    if swept.requeued or swept.failed:
        log.warning("Copy reading sweep: handed over %s, gave up on %s", swept.requeued, swept.failed)
    return {"requeued": swept.requeued, "failed": swept.failed}


@shared_task(acks_late=True, max_retries=0, soft_time_limit=50, time_limit=60)
def sweep_pastes() -> dict:
    """Beat's sweep of pasted copy: lost or stuck readings handed over as for products' copy, and pasted copy
    older than a day deleted (the person who pasted it has read it by then; it was never meant to be kept)."""
    swept = leases.sweep(PASTES, enqueue_paste, _(
        "Reading this copy was started %(n)s times and never finished. Paste it again to try again.")
        % {"n": PASTES.max_attempts}, done=0, total=0)
    deleted, _rows = PastedCopy.objects.filter(created_at__lt=timezone.now() - timedelta(days=PASTE_DAYS)).delete()
    return {"requeued": swept.requeued, "failed": swept.failed, "deleted": deleted}
